using DeepImpression.Core.Backends.Cpu;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Backends.Cpu.Convolution;
using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;
using DeepImpression.Core.Tests.Reference;
using static DeepImpression.Core.Tests.Backends.BackendTestKit;
using ConvCase = DeepImpression.Core.Tests.Reference.NaiveReference.ConvCase;

namespace DeepImpression.Core.Tests.Backends;

/// <summary>
/// The bound for Winograd's float32 arithmetic: within 1e-5 (norm-wise, relative) of a float64 direct
/// convolution, forward, input gradient and filter gradient, on every shape of the network it runs on, at the training sizes (224 x 224
/// frames, 50,176 samples) and the test-time ones (456 x 256 frames, a 15-s waveform). One image each: the error is a
/// per-tile matter, the batch does not change it. Inputs as the network sees them: rectified activations, He-normal
/// filters, signed output gradients. The measured errors are written to the test log (about 1e-6).
/// </summary>
[TestFixture]
[Category("Slow")]
public sealed class WinogradAccuracyTests
{
    private static IEnumerable<TestCaseData> NetworkShapes()
    {
        var net = new DeepImpressionNet(Device.Cpu, 1);
        var layers = net.Convolutions(1, DeepImpressionNet.TrainingAudioSamples, 224, 224)
            .Concat(net.Convolutions(1, 240_000, DeepImpressionNet.TestFrameHeight, DeepImpressionNet.TestFrameWidth));
        var seen = new HashSet<ConvCase>();
        foreach (var layer in layers)
        {
            var (x, w, g, y) = (layer.Input, layer.Filter, layer.Geometry, layer.Output);
            var s = new ConvCase(1, x[1], x[2], x[3], w[0], w[2], w[3], g.StrideH, g.StrideW, g.PadH, g.PadW);
            var shape = new ConvShape(s.C, s.H, s.W, s.K, s.KH, s.KW, y[2], y[3], s.SH, s.SW, s.PH, s.PW);
            if (WinogradConvolution.Accepts(shape, SimdLevel.Avx512) && seen.Add(s))
                yield return new TestCaseData(s).SetArgDisplayNames(layer.Path, $"{s.C}x{s.H}x{s.W}");
        }
    }

    [Test]
    public void The_network_has_sixteen_distinct_shapes_Winograd_runs_on() => Assert.That(NetworkShapes().Count(), Is.EqualTo(16));

    [TestCaseSource(nameof(NetworkShapes))]
    public void Float32_Winograd_stays_within_1e_5_of_a_float64_convolution(ConvCase s)
    {
        if (CpuIsa.Detected != SimdLevel.Avx512) Assert.Ignore("Winograd's vector kernels need AVX-512");
        var cpu = At(SimdLevel.Avx512);
        var random = new Rng(11);
        var x = Enumerable.Range(0, s.InputCount).Select(_ => (float)Math.Max(0, random.NextNormal())).ToArray();
        var w = Enumerable.Range(0, s.FilterCount).Select(_ => (float)(random.NextNormal() * Math.Sqrt(2.0 / (s.C * s.KH * s.KW)))).ToArray();
        var dy = Enumerable.Range(0, s.OutputCount).Select(_ => (float)random.NextNormal()).ToArray();
        var g = new ConvolutionGeometry(s.SH, s.SW, s.PH, s.PW);
        using var tx = T(x, s.N, s.C, s.H, s.W);
        using var tw = T(w, s.K, s.C, s.KH, s.KW);
        using var tdy = T(dy, s.N, s.K, s.OH, s.OW);
        using var y = Poisoned(s.N, s.K, s.OH, s.OW);
        using var dx = Poisoned(s.N, s.C, s.H, s.W);
        using var dw = Poisoned(s.K, s.C, s.KH, s.KW);
        cpu.ConvolutionForward(ForwardAlgorithm.Winograd, tx, tw, null, y, g);
        cpu.ConvolutionBackwardData(DataGradientAlgorithm.Winograd, tw, tdy, dx, g);
        cpu.ConvolutionBackwardFilter(FilterGradientAlgorithm.Winograd, tx, tdy, dw, g);
        double forward = NormwiseError(y.ToArray(), NaiveReference.ConvForward(s, x, w, null));
        double data = NormwiseError(dx.ToArray(), NaiveReference.ConvBackwardData(s, w, dy));
        double filter = NormwiseError(dw.ToArray(), NaiveReference.ConvBackwardFilter(s, x, dy));
        TestContext.Out.WriteLine($"{s}: forward {forward:E2}, input gradient {data:E2}, filter gradient {filter:E2}");
        Assert.That(forward, Is.LessThanOrEqualTo(1e-5), "forward");
        Assert.That(data, Is.LessThanOrEqualTo(1e-5), "input gradient");
        Assert.That(filter, Is.LessThanOrEqualTo(1e-5), "filter gradient");
    }
}
