using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Loading;
using DeepImpression.Train.Synthetic;

namespace DeepImpression.Train.Tests.Data;

/// <summary>Real-sized clips (15 s at 456 x 256) through synth and prepare with the default 32 frames.</summary>
[TestFixture]
[Category("Slow")]
public class FullSizeClipTests
{
    [Test]
    public void A_full_size_clip_costs_what_the_documentation_says_in_the_cache()
    {
        using var folder = new ScratchFolder("fullsize");
        var set = SyntheticDataSet.Generate(new SyntheticDataSetOptions { OutputDirectory = folder["synth"], Clips = 3, Seed = 3, Jobs = 2 });
        var info = MediaProbe.Probe(SyntheticDataSet.PathOf(set.Directory, set.Clips[0]));
        Assert.That((info.Width, info.Height, info.VideoFrameCount), Is.EqualTo((456, 256, 450)));

        var report = ClipPreparer.Run(new PrepareRequest
        {
            VideosDirectory = set.Directory,
            CacheDirectory = folder["cache"],
            Labels = null,
            Split = "all",
        });
        Assert.That(report.Added, Is.EqualTo(3));
        double megabytesPerClip = new FileInfo(ClipCacheFiles.Shard(folder["cache"], 0)).Length / 3 / 1e6;
        Assert.That(megabytesPerClip, Is.EqualTo(12.2).Within(0.1));

        using var cache = ClipCache.Open(folder["cache"]);
        var clip = TestClip.Load(cache, 0);
        Assert.That(clip.FrameCount, Is.EqualTo(ClipPreparer.DefaultFramesPerClip));
        Assert.That(clip.Audio.Length, Is.EqualTo(15 * 16_000).Within(1000));
        Assert.That(clip.Targets, Is.Null);
        Assert.That(clip.Frames.Distinct().Count(), Is.GreaterThan(50));
    }
}
