using DeepImpression.Core.Backends.Cpu;
using DeepImpression.Core.Backends.Cpu.Convolution;
using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Backends;

/// <summary>
/// The planner's choice for every convolution of the network at batch 1, 8 and 32 (training sizes), on AVX-512: a
/// change of plan is a decision, made here in the open. The table reads: batch, layer, forward, data gradient, filter
/// gradient.
/// </summary>
[TestFixture]
public sealed class NetworkPlanTests
{
    private static readonly string[] Expected =
    [
        " 1 aud/conv1_relu/conv          Indirect             LoweredScatter                 DotsOverPhaseGrid",
        " 1 aud/res2a_relu/res_branch2a  Winograd             Winograd                       DotsOverPhaseGrid",
        " 1 aud/res2a_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        " 1 aud/res2b_relu/res_branch2a  Winograd             Winograd                       DotsOverPhaseGrid",
        " 1 aud/res2b_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        " 1 aud/res3a_relu/res_branch2a  WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 1 aud/res3a_relu/res_branch1   WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 1 aud/res3a_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 aud/res3b_relu/res_branch2a  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 aud/res3b_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 aud/res4a_relu/res_branch2a  WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 1 aud/res4a_relu/res_branch1   WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 1 aud/res4a_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 aud/res4b_relu/res_branch2a  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 aud/res4b_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 aud/res5a_relu/res_branch2a  WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 1 aud/res5a_relu/res_branch1   WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 1 aud/res5a_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 aud/res5b_relu/res_branch2a  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 aud/res5b_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 vis/conv1_relu/conv          Indirect             LoweredScatter                 DotsOverPhaseGrid",
        " 1 vis/res2a_relu/res_branch2a  Winograd             Winograd                       DotsOverPhaseGrid",
        " 1 vis/res2a_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        " 1 vis/res2b_relu/res_branch2a  Winograd             Winograd                       DotsOverPhaseGrid",
        " 1 vis/res2b_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        " 1 vis/res3a_relu/res_branch2a  WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 1 vis/res3a_relu/res_branch1   WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 1 vis/res3a_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 vis/res3b_relu/res_branch2a  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 vis/res3b_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 vis/res4a_relu/res_branch2a  WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 1 vis/res4a_relu/res_branch1   WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 1 vis/res4a_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 vis/res4b_relu/res_branch2a  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 vis/res4b_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 vis/res5a_relu/res_branch2a  WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 1 vis/res5a_relu/res_branch1   WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 1 vis/res5a_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 vis/res5b_relu/res_branch2a  Winograd             Winograd                       GemmOverPhaseGrid",
        " 1 vis/res5b_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 8 aud/conv1_relu/conv          Indirect             LoweredScatter                 DotsOverPhaseGrid",
        " 8 aud/res2a_relu/res_branch2a  Winograd             Winograd                       DotsOverPhaseGrid",
        " 8 aud/res2a_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        " 8 aud/res2b_relu/res_branch2a  Winograd             Winograd                       DotsOverPhaseGrid",
        " 8 aud/res2b_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        " 8 aud/res3a_relu/res_branch2a  Lowered              LoweredScatter                 DotsOverPhaseGrid",
        " 8 aud/res3a_relu/res_branch1   Indirect             LoweredScatter                 DotsOverLoweredRows",
        " 8 aud/res3a_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        " 8 aud/res3b_relu/res_branch2a  Winograd             Winograd                       DotsOverPhaseGrid",
        " 8 aud/res3b_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        " 8 aud/res4a_relu/res_branch2a  WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 8 aud/res4a_relu/res_branch1   WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 8 aud/res4a_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 8 aud/res4b_relu/res_branch2a  Winograd             Winograd                       GemmOverPhaseGrid",
        " 8 aud/res4b_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 8 aud/res5a_relu/res_branch2a  WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 8 aud/res5a_relu/res_branch1   WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 8 aud/res5a_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 8 aud/res5b_relu/res_branch2a  Winograd             Winograd                       GemmOverPhaseGrid",
        " 8 aud/res5b_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 8 vis/conv1_relu/conv          Indirect             LoweredScatter                 DotsOverPhaseGrid",
        " 8 vis/res2a_relu/res_branch2a  Winograd             Winograd                       DotsOverPhaseGrid",
        " 8 vis/res2a_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        " 8 vis/res2b_relu/res_branch2a  Winograd             Winograd                       DotsOverPhaseGrid",
        " 8 vis/res2b_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        " 8 vis/res3a_relu/res_branch2a  Lowered              LoweredScatter                 DotsOverPhaseGrid",
        " 8 vis/res3a_relu/res_branch1   Indirect             LoweredScatter                 DotsOverLoweredRows",
        " 8 vis/res3a_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        " 8 vis/res3b_relu/res_branch2a  Winograd             Winograd                       DotsOverPhaseGrid",
        " 8 vis/res3b_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        " 8 vis/res4a_relu/res_branch2a  WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 8 vis/res4a_relu/res_branch1   WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 8 vis/res4a_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 8 vis/res4b_relu/res_branch2a  Winograd             Winograd                       GemmOverPhaseGrid",
        " 8 vis/res4b_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 8 vis/res5a_relu/res_branch2a  WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 8 vis/res5a_relu/res_branch1   WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        " 8 vis/res5a_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        " 8 vis/res5b_relu/res_branch2a  Winograd             Winograd                       GemmOverPhaseGrid",
        " 8 vis/res5b_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        "32 aud/conv1_relu/conv          Indirect             LoweredScatter                 DotsOverPhaseGrid",
        "32 aud/res2a_relu/res_branch2a  Winograd             Winograd                       DotsOverPhaseGrid",
        "32 aud/res2a_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        "32 aud/res2b_relu/res_branch2a  Winograd             Winograd                       DotsOverPhaseGrid",
        "32 aud/res2b_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        "32 aud/res3a_relu/res_branch2a  Lowered              LoweredScatter                 DotsOverPhaseGrid",
        "32 aud/res3a_relu/res_branch1   Indirect             LoweredScatter                 DotsOverLoweredRows",
        "32 aud/res3a_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        "32 aud/res3b_relu/res_branch2a  Winograd             Winograd                       DotsOverPhaseGrid",
        "32 aud/res3b_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        "32 aud/res4a_relu/res_branch2a  Lowered              LoweredScatter                 DotsOverPhaseGrid",
        "32 aud/res4a_relu/res_branch1   Lowered              LoweredScatter                 DotsOverLoweredRows",
        "32 aud/res4a_relu/res_branch2b  Winograd             Winograd                       Winograd",
        "32 aud/res4b_relu/res_branch2a  Winograd             Winograd                       Winograd",
        "32 aud/res4b_relu/res_branch2b  Winograd             Winograd                       Winograd",
        "32 aud/res5a_relu/res_branch2a  WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        "32 aud/res5a_relu/res_branch1   WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        "32 aud/res5a_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        "32 aud/res5b_relu/res_branch2a  Winograd             Winograd                       GemmOverPhaseGrid",
        "32 aud/res5b_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        "32 vis/conv1_relu/conv          Indirect             LoweredScatter                 DotsOverPhaseGrid",
        "32 vis/res2a_relu/res_branch2a  Winograd             Winograd                       DotsOverPhaseGrid",
        "32 vis/res2a_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        "32 vis/res2b_relu/res_branch2a  Winograd             Winograd                       DotsOverPhaseGrid",
        "32 vis/res2b_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        "32 vis/res3a_relu/res_branch2a  Lowered              LoweredScatter                 DotsOverPhaseGrid",
        "32 vis/res3a_relu/res_branch1   Indirect             LoweredScatter                 DotsOverLoweredRows",
        "32 vis/res3a_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        "32 vis/res3b_relu/res_branch2a  Winograd             Winograd                       DotsOverPhaseGrid",
        "32 vis/res3b_relu/res_branch2b  Winograd             Winograd                       DotsOverPhaseGrid",
        "32 vis/res4a_relu/res_branch2a  Lowered              LoweredScatter                 DotsOverPhaseGrid",
        "32 vis/res4a_relu/res_branch1   Lowered              LoweredScatter                 DotsOverLoweredRows",
        "32 vis/res4a_relu/res_branch2b  Winograd             Winograd                       Winograd",
        "32 vis/res4b_relu/res_branch2a  Winograd             Winograd                       Winograd",
        "32 vis/res4b_relu/res_branch2b  Winograd             Winograd                       Winograd",
        "32 vis/res5a_relu/res_branch2a  WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        "32 vis/res5a_relu/res_branch1   WholeBatchPhaseGrid  LoweredScatter                 GemmOverPhaseGrid",
        "32 vis/res5a_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
        "32 vis/res5b_relu/res_branch2a  Winograd             Winograd                       GemmOverPhaseGrid",
        "32 vis/res5b_relu/res_branch2b  Winograd             Winograd                       GemmOverPhaseGrid",
    ];

    private static ConvShape ShapeOf(ConvolutionLayer layer)
    {
        var (x, w, g, y) = (layer.Input, layer.Filter, layer.Geometry, layer.Output);
        return new ConvShape(x[1], x[2], x[3], w[0], w[2], w[3], y[2], y[3], g.StrideH, g.StrideW, g.PadH, g.PadW);
    }

    private static IEnumerable<string> Planned(SimdLevel isa)
    {
        var net = new DeepImpressionNet(Device.Cpu, 1);
        foreach (int n in new[] { 1, 8, 32 })
            foreach (var layer in net.Convolutions(n, DeepImpressionNet.TrainingAudioSamples, 224, 224))
            {
                var p = ConvolutionPlanner.Plan(ShapeOf(layer), n, isa, ConvolutionOverride.None);
                yield return $"{n,2} {layer.Path,-28} {p.Forward,-20} {p.DataGradient,-30} {p.FilterGradient}";
            }
    }

    [Test, Explicit("prints the table above from the planner")]
    public void Print()
    {
        foreach (var line in Planned(SimdLevel.Avx512)) TestContext.Out.WriteLine($"        \"{line}\",");
    }

    [Test]
    public void Every_layer_of_the_network_gets_the_planned_algorithms_at_batch_1_8_and_32() =>
        Assert.That(Planned(SimdLevel.Avx512).ToArray(), Is.EqualTo(Expected));

    [Test]
    public void Without_AVX_512_no_layer_runs_Winograd_or_the_in_place_kernel()
    {
        var algorithms = Planned(SimdLevel.Avx2).SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(2)).ToHashSet();
        Assert.That(algorithms, Does.Not.Contain("Winograd").And.Not.Contain("Indirect").And.Not.Contain("TransposedIndirect"));
    }

    [Test]
    public void The_reserve_follows_from_the_plan()
    {
        var net = new DeepImpressionNet(Device.Cpu, 1);
        foreach (var layer in net.Convolutions(8, DeepImpressionNet.TrainingAudioSamples, 224, 224))
        {
            var shape = ShapeOf(layer);
            var plan = ConvolutionPlanner.Plan(shape, 8, SimdLevel.Avx512, ConvolutionOverride.None);
            bool shared = plan.Forward is ForwardAlgorithm.Indirect or ForwardAlgorithm.WholeBatchPhaseGrid
                          && plan.FilterGradient is FilterGradientAlgorithm.DotsOverPhaseGrid or FilterGradientAlgorithm.GemmOverPhaseGrid;
            Assert.That(plan.ReserveFloats, shared ? Is.EqualTo(new PhaseGrid(shape, 8).Size(shape)) : Is.Zero, layer.Path);
        }
    }
}
