using DeepImpression.Core.Tensors;
using DeepImpression.Train.Analysis.Occlusion;
using DeepImpression.Train.Analysis;

namespace DeepImpression.Train.Tests.Analysis;

public sealed class IncrementalInferenceTests
{
    // Frame sizes (odd ones exercise the cover-all pooling's hanging window), mask sizes and strides.
    [TestCase(40, 64, 10, 4)]
    [TestCase(37, 51, 7, 3)]
    [TestCase(33, 45, 16, 8)]
    [TestCase(48, 30, 3, 5)]
    public void VisualFeaturesEqualFullForwardsOfEveryMaskedFrame(int height, int width, int size, int stride)
    {
        var net = RandomNetwork.Create(seed: 3);
        var grid = OcclusionGrid.Centred(height, width, (size, size), (stride, stride));
        var frames = new[] { RandomNetwork.Frame(3, height, width, seed: 1), RandomNetwork.Frame(3, height, width, seed: 2) };
        var naive = new StreamOcclusion(net.Visual, grid, MaskFill.InputMean, OcclusionMethod.Naive, batchSize: 16).Run(frames, Device.Cpu);
        var incremental = new StreamOcclusion(net.Visual, grid, MaskFill.InputMean, OcclusionMethod.Incremental, batchSize: 7).Run(frames, Device.Cpu);
        AssertSameFeatures(incremental, naive);
    }

    [Test]
    public void AuditoryFeaturesEqualFullForwardsOfEveryMaskedWaveform()
    {
        var net = RandomNetwork.Create(seed: 4);
        const int length = 6000;
        var grid = OcclusionGrid.AlongTime(length, window: 700, hop: 450);
        var waveform = new[] { RandomNetwork.Frame(1, 1, length, seed: 5, scale: 1f).Select(v => 2 * v - 1).ToArray() };
        var naive = new StreamOcclusion(net.Auditory, grid, MaskFill.Constant(0f), OcclusionMethod.Naive, batchSize: 8).Run(waveform, Device.Cpu);
        var incremental = new StreamOcclusion(net.Auditory, grid, MaskFill.Constant(0f), OcclusionMethod.Incremental, batchSize: 5).Run(waveform, Device.Cpu);
        AssertSameFeatures(incremental, naive);
    }

    [Test]
    public void ThePlanComputesLessThanTheNaivePathAndNoLessThanTheChangedRegions()
    {
        var net = RandomNetwork.Create(seed: 6);
        var plan = new IncrementalPlan(IncrementalGraph.Build(net.Visual, 256, 456), OcclusionGrid.Centred(256, 456, (10, 10), (4, 4)));
        Assert.That(plan.Grid.Count, Is.EqualTo(64 * 114));
        // The graph's full cost is the stream's own multiply-add count at this size.
        long described = net.Visual.Describe("vis/", 1, 256, 456).Sum(l => l.MultiplyAdds);
        Assert.That(plan.Graph.FullMultiplyAdds, Is.EqualTo(described));
        Assert.That(plan.IncrementalMultiplyAdds, Is.LessThan(plan.NaiveMultiplyAdds));
        // Every mask's patches are exactly its changed regions: inside the maps, and what the group says.
        for (int m = 0; m < plan.Grid.Count; m += 97)
            for (int node = 0; node < plan.Graph.Nodes.Count; node++)
            {
                var box = plan.PatchBox(node, m);
                var (_, h, w) = plan.Graph.Nodes[node];
                Assert.That(box.Rows.Start >= 0 && box.Rows.End <= h && box.Columns.Start >= 0 && box.Columns.End <= w, $"mask {m} node {node}: {box}");
                Assert.That((box.Rows.Length, box.Columns.Length), Is.EqualTo(plan.GroupOf(m).BoxSize[node]));
            }
        TestContext.Out.WriteLine(plan.Describe());
    }

    [Test]
    public void RefusesANetworkInTrainingMode()
    {
        var net = RandomNetwork.Create(seed: 7);
        net.SetTraining(true);
        var grid = OcclusionGrid.Centred(40, 64, (10, 10), (8, 8));
        var error = Assert.Throws<InvalidOperationException>(() =>
            new StreamOcclusion(net.Visual, grid, MaskFill.InputMean, OcclusionMethod.Incremental, 4).Run([RandomNetwork.Frame(3, 40, 64, 1)], Device.Cpu));
        Assert.That(error!.Message, Does.Contain("evaluation mode"));
    }

    private static void AssertSameFeatures(MaskedFeatures actual, MaskedFeatures expected)
    {
        Assert.That(actual.Masked, Has.Length.EqualTo(expected.Masked.Length));
        double scale = expected.Masked.Max(v => Math.Abs(v));
        Assert.That(scale, Is.GreaterThan(1e-3), "the features are not all zero");
        double worst = actual.Masked.Zip(expected.Masked).Max(p => Math.Abs(p.First - p.Second));
        double baselineWorst = actual.Baseline.Zip(expected.Baseline).Max(p => Math.Abs(p.First - p.Second));
        // Float32 rounding of two orders of summation through 17 layers: well under 1e-4 of the features' scale.
        Assert.That(worst, Is.LessThan(1e-4 * scale), $"masked features differ by up to {worst:G3} (scale {scale:G3})");
        Assert.That(baselineWorst, Is.LessThan(1e-4 * scale));
        // And the masks matter: masked features differ from the unmasked ones.
        double moved = 0;
        for (int m = 0; m < expected.MaskCount; m++)
            for (int f = 0; f < expected.FeatureCount; f++)
                moved = Math.Max(moved, Math.Abs(expected.Masked[m * expected.FeatureCount + f] - expected.Baseline[f]));
        Assert.That(moved, Is.GreaterThan(1e-3 * scale), "masking changed the features");
    }
}
