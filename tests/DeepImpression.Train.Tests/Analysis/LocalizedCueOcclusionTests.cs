using System.Globalization;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Analysis.Regions;
using DeepImpression.Train.Analysis.Segments;
using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Evaluation;
using DeepImpression.Train.Synthetic;
using DeepImpression.Train.Training;

namespace DeepImpression.Train.Tests.Analysis;

/// <summary>
/// Segment-level occlusion against ground truth: on the localized-cue synthetic set, where Conscientiousness is seen
/// only in the corner badge, a network trained briefly must show its largest effect on Conscientiousness when the
/// badge is masked. Square frames, cropped whole, so that every training example shows the badge.
/// </summary>
[TestFixture, Category("Slow")]
public class LocalizedCueOcclusionTests
{
    private static readonly FrameSize Size = new(96, 96);

    /// <summary>
    /// Masking the badge must move the Conscientiousness prediction on average at least twice as far as masking any
    /// other region, and be a large effect (|d| above 1.0: the mean change exceeds the change's standard deviation) with
    /// an interval that excludes 0. Not "the largest |d|": d divides by the spread of the change across clips, and the
    /// change from hiding the cue itself depends on each clip's badge (a clip whose badge says "average" barely moves),
    /// so the cue's d is held down by the very thing that makes it the cue, while a region the network reads a little
    /// (the head) can shift every clip by the same small amount. Measured on 2 cores (Xeon, Winograd plans): badge mean
    /// change -0.113, |d| 1.36 [1.01, 1.69]; next on Conscientiousness the head, +0.039 with |d| 1.45; the largest
    /// change any other region makes on any trait, 0.067.
    /// </summary>
    private const double MinimumEffect = 1.0;
    private const double MinimumChangeRatio = 2.0;

    [Test]
    public void The_largest_effect_on_the_badge_trait_is_masking_the_badge()
    {
        string root = Path.Combine(Path.GetTempPath(), "deepimpression-tests", $"localized-occlusion-{Environment.ProcessId}");
        try
        {
            string videos = Path.Combine(root, "videos"), cache = Path.Combine(root, "cache");
            SyntheticDataSet.Generate(new SyntheticDataSetOptions
            {
                OutputDirectory = videos, Clips = 160, Seed = 4, Seconds = 3.5, FrameSize = Size, Variant = SyntheticVariant.LocalizedCues, Jobs = 2,
            });
            ClipPreparer.Run(new PrepareRequest
            {
                VideosDirectory = Path.Combine(videos, SyntheticPlan.Train),
                CacheDirectory = cache,
                Labels = AnnotationFiles.Read(Path.Combine(videos, SyntheticDataSet.LabelFiles[SyntheticPlan.Train])),
                Split = SyntheticPlan.Train,
                FramesPerClip = 4,
                FrameSize = Size,
                Jobs = 2,
            });
            var options = new TrainingOptions
            {
                Data = cache, RunDirectory = Path.Combine(root, "run"), Epochs = 30, BatchSize = 16, LearningRate = 0.0005,
                CropSize = Size.Width, AudioWindow = 8192, EvalEvery = 0, HeldOutFraction = 0.1, CheckpointMinutes = 0, Workers = 2, Seed = 1,
            };
            var trainer = new Trainer(options, TextWriter.Null, interactive: false);
            Assert.That(trainer.Train(false, CancellationToken.None), Is.EqualTo(TrainingOutcome.Completed));

            var net = ModelFile.Load(trainer.Run.LastCheckpoint, Device.Cpu);
            var clips = Directory.GetFiles(Path.Combine(videos, SyntheticPlan.Test)).Concat(Directory.GetFiles(Path.Combine(videos, SyntheticPlan.Validation))).Order().ToArray();
            var result = SegmentOcclusion.Run(net, clips, RegionMapFolder.Open(Path.Combine(videos, SyntheticDataSet.RegionsFolder)),
                new SegmentOcclusionOptions { Frames = 2, FrameSize = Size });

            int trait = SyntheticLocalizedCues.VisualTrait;
            foreach (var e in result.Effects)
                TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{e.Trait} {e.Region,-10} {e.Effect}"));
            var ranked = result.Effects.Where(e => e.Trait == trait).OrderByDescending(e => Math.Abs(e.Effect.MeanDifference)).ToArray();
            Assert.That(ranked[0].RegionId, Is.EqualTo(SyntheticRegions.Badge), $"largest mean change of {SyntheticLocalizedCues.VisualTraitName}");
            Assert.That(Math.Abs(ranked[0].Effect.D), Is.GreaterThan(MinimumEffect));
            Assert.That(Math.Sign(ranked[0].Effect.CiLow), Is.EqualTo(Math.Sign(ranked[0].Effect.CiHigh)), "the interval excludes 0");
            foreach (var other in ranked.Skip(1))
                Assert.That(Math.Abs(ranked[0].Effect.MeanDifference), Is.GreaterThan(MinimumChangeRatio * Math.Abs(other.Effect.MeanDifference)), $"mean change against {other.Region}");

            PngCheck.ValidAndNotBlank(SegmentFigure.Render(result));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
