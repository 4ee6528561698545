using DeepImpression.Core.Backends;
using DeepImpression.Core.Backends.Cpu;
using DeepImpression.Core.Backends.Cpu.Convolution;
using DeepImpression.Core.Autograd;
using DeepImpression.Core.Model;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;
using DeepImpression.Core.Tests.Autograd;

namespace DeepImpression.Core.Tests.Model;

[TestFixture]
public class DeepImpressionNetTests
{
    private static DeepImpressionNet Net(ulong seed = 1) => new(Device.Cpu, seed);

    [Test]
    public void Parameter_counts_match_the_original()
    {
        var net = Net();
        Assert.That(net.Auditory.ParameterCount, Is.EqualTo(2_798_144));
        Assert.That(net.Visual.ParameterCount, Is.EqualTo(2_801_280));
        Assert.That(net.Fusion.ParameterCount, Is.EqualTo(2_565));
        Assert.That(net.ParameterCount, Is.EqualTo(5_601_989));
    }

    [Test]
    public void Parameter_paths_and_shapes_are_the_original_npz_keys()
    {
        var state = Net().NamedState().ToDictionary(p => p.Path, p => p.Tensor.Shape);
        Assert.That(state["aud/conv1_relu/conv/W"], Is.EqualTo(new Shape(32, 1, 1, 49)));
        Assert.That(state["aud/conv1_relu/conv/b"], Is.EqualTo(new Shape(32)));
        Assert.That(state["aud/conv1_relu/bn_conv/gamma"], Is.EqualTo(new Shape(32)));
        Assert.That(state["aud/conv1_relu/bn_conv/avg_var"], Is.EqualTo(new Shape(32)));
        Assert.That(state["aud/res3a_relu/res_branch1/W"], Is.EqualTo(new Shape(64, 32, 1, 1)));
        Assert.That(state["aud/res3a_relu/bn_branch1/gamma"], Is.EqualTo(new Shape(64)));
        Assert.That(state["aud/res2a_relu/res_branch2a/W"], Is.EqualTo(new Shape(32, 32, 1, 9)));
        Assert.That(state["aud/res2a_relu/bn_branch2b/avg_var"], Is.EqualTo(new Shape(32)));
        Assert.That(state["vis/conv1_relu/conv/W"], Is.EqualTo(new Shape(32, 3, 7, 7)));
        Assert.That(state["vis/res5b_relu/res_branch2b/W"], Is.EqualTo(new Shape(256, 256, 3, 3)));
        Assert.That(state["fc/W"], Is.EqualTo(new Shape(5, 512)));
        Assert.That(state["fc/b"], Is.EqualTo(new Shape(5)));
        // Only the strided blocks have a projection shortcut.
        var projections = state.Keys.Where(k => k.Contains("res_branch1/W")).OrderBy(k => k).ToArray();
        Assert.That(projections, Is.EqualTo(new[]
        {
            "aud/res3a_relu/res_branch1/W", "aud/res4a_relu/res_branch1/W", "aud/res5a_relu/res_branch1/W",
            "vis/res3a_relu/res_branch1/W", "vis/res4a_relu/res_branch1/W", "vis/res5a_relu/res_branch1/W",
        }));
        // 2 streams x (1 stem + 8 blocks x 2 + 3 projections) = 40 batch norms, 4 persistent-or-trainable arrays each.
        Assert.That(state.Keys.Count(k => k.EndsWith("/avg_mean", StringComparison.Ordinal)), Is.EqualTo(40));
    }

    [Test]
    public void Forward_multiply_adds_match_the_design_and_scale_with_the_batch()
    {
        var net = Net();
        var one = net.Describe(1, 50_176, 224, 224);
        Assert.That(one.Where(r => r.Path.StartsWith("aud/")).Sum(r => r.MultiplyAdds), Is.EqualTo(446_345_216L));
        Assert.That(one.Where(r => r.Path.StartsWith("vis/")).Sum(r => r.MultiplyAdds), Is.EqualTo(541_192_192L));
        Assert.That(one.Sum(r => r.MultiplyAdds), Is.EqualTo(987_539_968L));
        Assert.That(net.Describe(3, 50_176, 224, 224).Sum(r => r.MultiplyAdds), Is.EqualTo(3 * 987_539_968L));
    }

    [Test]
    public void Pooled_map_sizes_round_up_as_in_the_original()
    {
        var net = Net();
        var vis = net.Visual.Describe("", 1, 224, 224);
        var aud = net.Auditory.Describe("", 1, 1, 50_176);
        int[] visWidths = [vis[0].Output[3], vis[1].Output[3], vis[4].Output[3], vis[6].Output[3], vis[8].Output[3]];
        int[] audWidths = [aud[0].Output[3], aud[1].Output[3], aud[4].Output[3], aud[6].Output[3], aud[8].Output[3]];
        Assert.That(visWidths, Is.EqualTo(new[] { 112, 57, 29, 15, 8 }));
        Assert.That(audWidths, Is.EqualTo(new[] { 12_544, 3_137, 785, 197, 50 }));
        Assert.That(vis[^1].Output, Is.EqualTo(new Shape(1, 256)));
    }

    [Test]
    public void Forward_pass_follows_the_described_shapes_through_every_block_at_training_size()
    {
        var net = Net();
        using var noGrad = Backprop.NoGrad();
        using var scope = TensorScope.Begin();
        var rng = new Rng(2);
        AssertStreamShapes(net.Auditory, Tensor.RandomUniform(new Shape(1, 1, 1, 50_176), rng, -1, 1), net.Auditory.Describe("", 1, 1, 50_176));
        AssertStreamShapes(net.Visual, Tensor.RandomUniform(new Shape(1, 3, 224, 224), rng, 0, 255), net.Visual.Describe("", 1, 224, 224));
        var y = net.Forward(Tensor.RandomUniform(new Shape(2, 1, 1, 50_176), rng, -1, 1), Tensor.RandomUniform(new Shape(2, 3, 224, 224), rng, 0, 255));
        Assert.That(y.Shape, Is.EqualTo(new Shape(2, 5)));
        Assert.That(y.ToArray(), Is.All.InRange(0f, 1f));
    }

    [Test, Category("Slow")]
    public void Forward_pass_follows_the_described_shapes_at_test_size()
    {
        var net = Net();
        net.SetTraining(false);
        using var noGrad = Backprop.NoGrad();
        using var scope = TensorScope.Begin();
        var rng = new Rng(3);
        AssertStreamShapes(net.Auditory, Tensor.RandomUniform(new Shape(1, 1, 1, 240_000), rng, -1, 1), net.Auditory.Describe("", 1, 1, 240_000));
        AssertStreamShapes(net.Visual, Tensor.RandomUniform(new Shape(1, 3, 256, 456), rng, 0, 255), net.Visual.Describe("", 1, 256, 456));
    }

    private static void AssertStreamShapes(ResidualStream stream, Tensor x, IReadOnlyList<LayerInfo> described)
    {
        var h = stream.Conv1.Forward(x);
        Assert.That(h.Shape, Is.EqualTo(described[0].Output), described[0].Path);
        h = Op.MaxPool2d(h, stream.Geometry.Pool1);
        Assert.That(h.Shape, Is.EqualTo(described[1].Output), described[1].Path);
        for (int i = 0; i < stream.Blocks.Count; i++)
        {
            h = stream.Blocks[i].Forward(h);
            Assert.That(h.Shape, Is.EqualTo(described[i + 2].Output), described[i + 2].Path);
        }
        Assert.That(Op.GlobalAveragePool(h).Shape, Is.EqualTo(described[^1].Output));
    }

    [Test, Category("Slow")]
    public void Whole_network_gradients_match_finite_differences_in_training_mode()
    {
        // The convolutions that sum the definition's products (no Winograd): a central difference of the float32 loss
        // with this step resolves gradients to about 1e-4, and Winograd's rounding (1e-6 of each layer's output, checked
        // against float64 in WinogradAccuracyTests) would blur that. What is checked here is how the ops compose.
        var device = BackendRegistry.AddCpu(CpuBackendOptions.FromEnvironment() with { Convolution = ConvolutionOverride.Direct });
        using var backend = BackendRegistry.Get(device);
        var net = new DeepImpressionNet(device, 5);
        var rng = new Rng(6);
        var audio = Tensor.RandomUniform(new Shape(2, 1, 1, 4096), rng, -1, 1, device);
        var frames = Tensor.RandomUniform(new Shape(2, 3, 64, 64), rng, 0, 255, device);
        var state = net.NamedParameters().ToDictionary(p => p.Path, p => p.Tensor);
        // One parameter of every kind: conv weights and biases of both streams, batch-norm scale and shift, the fusion.
        string[] sampled =
        [
            "aud/conv1_relu/conv/W", "aud/res3a_relu/res_branch1/W", "aud/res5b_relu/res_branch2b/W", "aud/res2a_relu/bn_branch2a/gamma",
            "vis/conv1_relu/conv/W", "vis/res4a_relu/res_branch2a/W", "vis/res5a_relu/bn_branch1/beta", "vis/conv1_relu/bn_conv/gamma",
            "fc/W", "fc/b",
        ];
        var parameters = sampled.Select(p => state[p]).ToArray();
        GradientCheck.Assert(_ => net.Forward(audio, frames), parameters, samplesPerInput: 4, epsilon: 3e-4,
            relativeTolerance: 5e-2, absoluteTolerance: 5e-4, allowedMismatches: 0, label: "whole network");
    }

    [Test]
    public void Test_time_prediction_does_not_depend_on_the_chunk_size()
    {
        var net = Net(7);
        var rng = new Rng(8);
        var waveform = Enumerable.Range(0, 8_000).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var frames = new SyntheticFrames(459, 24, 40, seed: 9);
        var a = net.PredictClip(waveform, frames, chunkSize: 7);
        var b = net.PredictClip(waveform, frames, chunkSize: 64);
        var c = net.PredictClip(waveform, frames, chunkSize: 256);
        Assert.That(a, Has.Length.EqualTo(5));
        Assert.That(b, Is.EqualTo(a).Within(1e-5));
        Assert.That(c, Is.EqualTo(a).Within(1e-5));
        Assert.That(net.IsTraining, Is.True, "PredictClip restores the mode it found");
    }

    private sealed class SyntheticFrames(int count, int height, int width, ulong seed) : IFrameSource
    {
        public int FrameCount => count;
        public int Height => height;
        public int Width => width;

        public void CopyFrames(int start, int n, Span<float> destination)
        {
            int size = 3 * height * width;
            for (int f = 0; f < n; f++)
            {
                var rng = new Rng(seed + (ulong)(start + f));
                for (int i = 0; i < size; i++) destination[f * size + i] = (float)(rng.NextDouble() * 255);
            }
        }
    }
}
