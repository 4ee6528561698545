using DeepImpression.Core.Backends;
using DeepImpression.Core.Backends.Cpu.Convolution;
using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Backends;

[TestFixture]
public sealed class NetworkPlanTests
{
    private static ConvShape ShapeOf(ConvolutionLayer layer)
    {
        var (x, w, g, y) = (layer.Input, layer.Filter, layer.Geometry, layer.Output);
        return new ConvShape(x[1], x[2], x[3], w[0], w[2], w[3], y[2], y[3], g.StrideH, g.StrideW, g.PadH, g.PadW);
    }

    [Test, Explicit("prints the plan table")]
    public void Print()
    {
        var net = new DeepImpressionNet(Device.Cpu, 1);
        foreach (int n in new[] { 1, 8, 32 })
            foreach (var layer in net.Convolutions(n, DeepImpressionNet.TrainingAudioSamples, 224, 224))
            {
                var p = ConvolutionPlanner.Plan(ShapeOf(layer), n, SimdLevel.Avx512, ConvolutionOverride.None);
                TestContext.Out.WriteLine($"        \"{n,2} {layer.Path,-28} {p.Forward,-20} {p.DataGradient,-30} {p.FilterGradient}\",");
            }
    }
}
