using DeepImpression.Core.Autograd;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Model;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;
using static DeepImpression.Core.Tests.Backends.BackendTestKit;

namespace DeepImpression.Core.Tests.Model;

/// <summary>
/// The test-time path (batch norm folded into the convolutions, ReLU and residual in their epilogues) against the
/// layers of evaluation mode in turn. Folding changes only the rounding: a layer within 1e-5 norm-wise (as Winograd
/// is of a float64 convolution); the whole stream, seventeen layers, within 1e-4.
/// </summary>
[TestFixture]
public sealed class StreamInferenceTests
{
    /// <summary>Running statistics and affine parameters away from their initial 0/1, so that folding has work to do.</summary>
    private static void Perturb(Core.Layers.Link link, int seed)
    {
        var rng = new Rng((ulong)seed);
        foreach (var (path, t) in link.NamedState())
        {
            if (path.EndsWith("/W", StringComparison.Ordinal)) continue;
            var values = t.ToArray();
            for (int i = 0; i < values.Length; i++)
                values[i] = path.EndsWith("avg_var", StringComparison.Ordinal) ? (float)(0.5 + rng.NextDouble())
                    : path.EndsWith("gamma", StringComparison.Ordinal) ? (float)(0.5 + rng.NextDouble())
                    : (float)(0.2 * (rng.NextDouble() - 0.5));
            t.CopyFrom(values);
        }
    }

    /// <summary>The stream's layers in evaluation mode one after another, as the training graph's ops compute them.</summary>
    private static Tensor LayersInTurn(ResidualStream stream, Tensor x)
    {
        var h = stream.Conv1.Forward(x);
        h = Op.MaxPool2d(h, stream.Geometry.Pool1);
        foreach (var block in stream.Blocks) h = block.Forward(h);
        return h;
    }

    [TestCase(true)]
    [TestCase(false)]
    public void The_folded_fused_path_gives_the_map_of_the_layers_in_turn(bool visual)
    {
        var net = new DeepImpressionNet(Device.Cpu, 5);
        Perturb(net, 6);
        net.SetTraining(false);
        var stream = visual ? net.Visual : net.Auditory;
        var rng = new Rng(7);
        using var scope = TensorScope.Begin();
        using var noGrad = Backprop.NoGrad();
        var x = visual ? Tensor.RandomUniform(new Shape(2, 3, 48, 64), rng, 0, 255) : Tensor.RandomUniform(new Shape(2, 1, 1, 6000), rng, -1, 1);
        var expected = LayersInTurn(stream, x).ToArray().Select(v => (double)v).ToArray();
        var fused = stream.FeatureMap(x).ToArray();
        AssertNormClose(fused, expected, 1e-4, "feature map");
        Assert.That(x.IsDisposed, Is.False, "the caller's input is left alone");
    }

    [Test]
    public void A_folded_layer_with_its_residual_and_ReLU_matches_conv_batch_norm_add_ReLU()
    {
        var net = new DeepImpressionNet(Device.Cpu, 8);
        Perturb(net, 9);
        net.SetTraining(false);
        var block = net.Visual.Blocks[3];
        var rng = new Rng(10);
        using var scope = TensorScope.Begin();
        using var noGrad = Backprop.NoGrad();
        var h = Tensor.RandomUniform(new Shape(3, block.Branch2b.InChannels, 9, 11), rng, 0, 2);
        var residual = Tensor.RandomUniform(new Shape(3, block.Branch2b.OutChannels, 9, 11), rng, -1, 1);
        var expected = block.Bn2b.ForwardAddRelu(block.Branch2b.Forward(h), residual).ToArray().Select(v => (double)v).ToArray();
        using var folded = FoldedConvolution.Of(block.Branch2b, block.Bn2b);
        AssertNormClose(folded.Forward(h, residual, relu: true).ToArray(), expected, 1e-5, "y");
    }

    [Test]
    public void Changing_the_parameters_in_evaluation_mode_is_seen_after_ParametersChanged()
    {
        var net = new DeepImpressionNet(Device.Cpu, 11);
        net.SetTraining(false);
        var rng = new Rng(12);
        using var scope = TensorScope.Begin();
        using var noGrad = Backprop.NoGrad();
        var x = Tensor.RandomUniform(new Shape(1, 1, 1, 4000), rng, -1, 1);
        var before = net.Auditory.FeatureMap(x).ToArray();
        Perturb(net, 13);
        net.ParametersChanged();
        var after = net.Auditory.FeatureMap(x).ToArray();
        var expected = LayersInTurn(net.Auditory, x).ToArray().Select(v => (double)v).ToArray();
        Assert.That(after, Is.Not.EqualTo(before));
        AssertNormClose(after, expected, 1e-4, "after the change");
    }

    [Test]
    public void The_fused_convolution_refuses_to_be_recorded()
    {
        var net = new DeepImpressionNet(Device.Cpu, 14);
        using var scope = TensorScope.Begin();
        using var folded = FoldedConvolution.Of(net.Visual.Conv1.Conv, net.Visual.Conv1.Bn);
        var x = Tensor.RandomUniform(new Shape(1, 3, 16, 16), new Rng(15), 0, 1);
        x.RequiresGrad = true;
        Assert.Throws<InvalidOperationException>(() => folded.Forward(x, null, relu: true));
    }
}
