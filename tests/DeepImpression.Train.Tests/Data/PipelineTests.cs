using DeepImpression.Train.Data;
using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Data.Loading;
using DeepImpression.Train.Synthetic;

namespace DeepImpression.Train.Tests.Data;

/// <summary>synth -> prepare -> loader at the network's real sizes: 456 x 256 frames, 224 x 224 crops, 50,176 samples.</summary>
[TestFixture]
public class PipelineTests
{
    [Test]
    public void Synthetic_clips_become_network_sized_batches_and_test_clips()
    {
        using var folder = new ScratchFolder("pipeline");
        var set = SyntheticDataSet.Generate(TinySyntheticSet.Options(folder["synth"], clips: 6) with { FrameSize = new FrameSize(228, 128) });
        var labels = AnnotationFiles.Read(Path.Combine(set.Directory, "annotation_training.pkl"));
        var report = ClipPreparer.Run(new PrepareRequest
        {
            VideosDirectory = Path.Combine(set.Directory, "train"),
            CacheDirectory = folder["cache"],
            Labels = labels,
            Split = "train",
            FramesPerClip = 3,
            Jobs = 2,
        });
        Assert.That(report.Added, Is.EqualTo(labels.Count));

        using var cache = ClipCache.Open(folder["cache"]);
        Assert.That(cache.FrameSize, Is.EqualTo(FrameSize.Network));
        var loader = new TrainingLoader(cache, cache.Split("train"), new TrainingLoaderOptions { BatchSize = 2, Seed = 9 });
        foreach (var batch in loader.Epoch(0))
        {
            Assert.That(batch.Audio, Has.Length.EqualTo(2 * ClipFormat.TrainingAudioSamples));
            Assert.That(batch.Frames, Has.Length.EqualTo(2 * 3 * 224 * 224));
            Assert.That(batch.Audio.All(v => v is >= -1 and <= 1), Is.True);
            Assert.That(batch.Audio.Any(v => Math.Abs(v) > 0.01), Is.True, "the voice is audible");
            Assert.That(batch.Frames.All(v => v is >= 0 and <= 255 && v == MathF.Round(v)), Is.True);
            Assert.That(batch.Frames.Max() - batch.Frames.Min(), Is.GreaterThan(50), "frames are not flat");
            for (int k = 0; k < batch.Count; k++)
            {
                var expected = labels.Clips[batch.Clips[k]].ToArray();
                Assert.That(batch.Targets.AsSpan(k * 5, 5).ToArray(), Is.EqualTo(expected));
            }
        }

        var test = TestClip.Load(cache, 0);
        Assert.That(test.Audio.Length, Is.EqualTo(TinySyntheticSet.Seconds * 16_000).Within(700));
        Assert.That(test.FrameCount, Is.EqualTo(3));
        Assert.That(test.Frames, Has.Length.EqualTo(3 * 3 * 256 * 456));
        Assert.That(test.Targets, Is.EqualTo(labels.Clips[test.Clip]));
    }
}
