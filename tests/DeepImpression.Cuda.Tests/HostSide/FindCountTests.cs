using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Tests.Parity;

namespace DeepImpression.Cuda.Tests.HostSide;

/// <summary>
/// How many cuDNN Find calls a run makes, counted from the shapes the network produces (<see cref="ConvolutionCensus"/>):
/// per full shape before the plan, per shape and direction whatever the batch size now. The GPU check's step stage
/// confirms the count on a real backend.
/// </summary>
[TestFixture]
public class FindCountTests
{
    private static readonly DeepImpressionNet Net = new(Device.Cpu, 1);

    [Test]
    public void ATrainingStepSearchesOncePerDistinctConvolutionAndDirection()
    {
        var keys = ConvolutionCensus.TrainingStep(Net, 32, DeepImpressionNet.TrainingAudioSamples, DeepImpressionNet.TrainingFrameSize).ToList();
        // Per stream: conv1, then 8 blocks of 2 or 3 convolutions = 20; forward and filter gradient of all, data
        // gradient of all but conv1.
        Assert.That(keys, Has.Count.EqualTo(2 * (20 + 20 + 19)));
        // Blocks repeat shapes: per stream conv1, res2's one shape, and three shapes per later stage = 11.
        var (before, after) = ConvolutionCensus.Searches(keys);
        Assert.That(before, Is.EqualTo(2 * (11 + 11 + 10)));
        Assert.That(after, Is.EqualTo(before), "one batch size: nothing to share");
    }

    [Test]
    public void ARunSearchesEachShapeOnceWhateverTheBatchSizesItMeets()
    {
        // train on the synthetic default: batches of 32 at the 112 crop and 16,384 samples; validation clips of
        // 64,273 samples and 8 frames of 128 x 228 in one chunk.
        var train = ConvolutionCensus.Searches(ConvolutionCensus.TrainingStep(Net, 32, 16_384, 112)
            .Concat(ConvolutionCensus.TestClip(Net, 64_273, 8, 128, 228, 32)));
        // bench at batch 32: steps at the original sizes, then one test clip of 459 frames in chunks of 16 (the last of 11).
        var bench = ConvolutionCensus.Searches(ConvolutionCensus.TrainingStep(Net, 32, DeepImpressionNet.TrainingAudioSamples, DeepImpressionNet.TrainingFrameSize)
            .Concat(ConvolutionCensus.TestClip(Net, 240_000, 459, 256, 456, 16)));
        // A training run whose last batch is partial (no drop-last): every shape again at the smaller batch.
        var partial = ConvolutionCensus.Searches(ConvolutionCensus.TrainingStep(Net, 32, 16_384, 112).Concat(ConvolutionCensus.TrainingStep(Net, 17, 16_384, 112)));
        Console.WriteLine($"Find calls before/after: train {train.Before}/{train.After}, bench {bench.Before}/{bench.After}, " +
                          $"training with a partial batch {partial.Before}/{partial.After}");
        Assert.That(train, Is.EqualTo((64 + 22, 64 + 22)));
        Assert.That(bench, Is.EqualTo((64 + 33, 64 + 22)), "the 11-frame chunk reuses the 16-frame chunk's searches");
        Assert.That(partial, Is.EqualTo((128, 64)));
    }
}
