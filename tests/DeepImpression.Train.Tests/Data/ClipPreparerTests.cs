using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Synthetic;

namespace DeepImpression.Train.Tests.Data;

[TestFixture]
public class ClipPreparerTests
{
    private static PrepareRequest Request(string videos, string cache, LabelSet? labels, int jobs = 2) => new()
    {
        VideosDirectory = videos,
        CacheDirectory = cache,
        Labels = labels,
        Split = "train",
        FramesPerClip = 4,
        Jobs = jobs,
        FrameSize = TinySyntheticSet.Size,
    };

    private static SyntheticClipSpec[] TrainClips => TinySyntheticSet.Report.Clips.Where(c => c.Split == SyntheticPlan.Train).ToArray();

    /// <summary>Every cached clip holds exactly what a fresh decode of its video gives.</summary>
    private static void AssertCacheMatchesVideos(string cacheDir, string videos)
    {
        using var cache = ClipCache.Open(cacheDir);
        var decoder = new ClipDecoder(TinySyntheticSet.Size);
        for (int i = 0; i < cache.Count; i++)
        {
            var fresh = decoder.Decode(Path.Combine(videos, cache.Clips[i].Name), 4);
            Assert.That(cache.Audio(i).SequenceEqual(fresh.Audio), Is.True, cache.Clips[i].Name);
            Assert.That(cache.Clips[i].FrameCount, Is.EqualTo(fresh.FrameCount));
            for (int f = 0; f < fresh.FrameCount; f++) Assert.That(cache.Frame(i, f).SequenceEqual(fresh.Frame(f)), Is.True);
        }
    }

    [Test]
    public void Every_labelled_clip_is_cached_with_its_labels_and_a_rerun_skips_them()
    {
        using var folder = new ScratchFolder("prepare");
        var videos = TinySyntheticSet.CopySplit(SyntheticPlan.Train, folder.Path);
        var labels = AnnotationFiles.Read(folder[SyntheticDataSet.LabelFiles[SyntheticPlan.Train]]);
        var report = ClipPreparer.Run(Request(videos, folder["cache"], labels));

        Assert.That(report.Added, Is.EqualTo(TrainClips.Length));
        Assert.That(report.Skipped, Is.Empty);
        using (var cache = ClipCache.Open(folder["cache"]))
        {
            Assert.That(cache.Count, Is.EqualTo(TrainClips.Length));
            foreach (var spec in TrainClips)
            {
                Assert.That(cache.TryGetIndex(spec.Name, out int i), Is.True);
                Assert.That(cache.Clips[i].Targets, Is.EqualTo(spec.Labels));
                Assert.That(cache.Clips[i].Interview, Is.EqualTo(spec.Interview));
                Assert.That(cache.Clips[i].FrameCount, Is.EqualTo(4));
                Assert.That(cache.Clips[i].Split, Is.EqualTo("train"));
            }
        }
        AssertCacheMatchesVideos(folder["cache"], videos);

        var again = ClipPreparer.Run(Request(videos, folder["cache"], labels));
        Assert.That(again.Added, Is.Zero);
        Assert.That(again.AlreadyCached, Is.EqualTo(TrainClips.Length));
    }

    [Test]
    public void Bad_clips_and_unmatched_labels_are_skipped_with_their_reason_and_cost_nothing_else()
    {
        using var folder = new ScratchFolder("prepare");
        var videos = TinySyntheticSet.CopySplit(SyntheticPlan.Train, folder.Path);
        TestMedia.Garbage(Path.Combine(videos, "corruptAAAA.000.mp4"));
        TestMedia.Make(Path.Combine(videos, "silentAAAAA.000.mp4"), 4, withAudio: false);
        TestMedia.Make(Path.Combine(videos, "shortAAAAAA.000.mp4"), 2, withAudio: true);
        File.Copy(SyntheticDataSet.PathOf(TinySyntheticSet.Root, TrainClips[0]), Path.Combine(videos, "nolabelAAAA.000.mp4"));

        var clips = TrainClips.ToDictionary(c => c.Name, c => c.Labels);
        var extra = new TraitScores(0.5f, 0.5f, 0.5f, 0.5f, 0.5f);
        foreach (var name in new[] { "corruptAAAA.000.mp4", "silentAAAAA.000.mp4", "shortAAAAAA.000.mp4", "missingAAAA.000.mp4" }) clips[name] = extra;
        var report = ClipPreparer.Run(Request(videos, folder["cache"], new LabelSet(clips, source: "labels.pkl")));

        Assert.That(report.Added, Is.EqualTo(TrainClips.Length));
        var reasons = report.Skipped.ToDictionary(s => s.Clip, s => s.Reason);
        Assert.That(reasons.Keys, Is.EquivalentTo(new[] { "corruptAAAA.000.mp4", "silentAAAAA.000.mp4", "shortAAAAAA.000.mp4", "missingAAAA.000.mp4", "nolabelAAAA.000.mp4" }));
        Assert.That(reasons["corruptAAAA.000.mp4"], Does.Contain("unreadable or corrupt"));
        Assert.That(reasons["silentAAAAA.000.mp4"], Does.Contain("no audio track"));
        Assert.That(reasons["shortAAAAAA.000.mp4"], Does.Contain("too short"));
        Assert.That(reasons["missingAAAA.000.mp4"], Does.Contain("no video").And.Contain("labels.pkl"));
        Assert.That(reasons["nolabelAAAA.000.mp4"], Does.Contain("no label"));
        AssertCacheMatchesVideos(folder["cache"], videos);
    }

    [Test]
    public void An_interrupted_run_keeps_whole_clips_only_and_a_rerun_completes_the_cache()
    {
        using var folder = new ScratchFolder("prepare");
        var videos = TinySyntheticSet.CopySplit(SyntheticPlan.Train, folder.Path);
        var labels = AnnotationFiles.Read(folder[SyntheticDataSet.LabelFiles[SyntheticPlan.Train]]);
        using var stop = new CancellationTokenSource();
        var progress = new SynchronousProgress(p => { if (p.Added >= 2) stop.Cancel(); });
        Assert.Catch<OperationCanceledException>(() => ClipPreparer.Run(Request(videos, folder["cache"], labels), progress, stop.Token));

        int kept;
        using (var cache = ClipCache.Open(folder["cache"]))
        {
            kept = cache.Count;
            Assert.That(kept, Is.InRange(2, TrainClips.Length - 1));
        }
        AssertCacheMatchesVideos(folder["cache"], videos);

        // And what a hard kill leaves on top: a clip's data written but not indexed, half an index line.
        File.AppendAllText(ClipCacheFiles.Shard(folder["cache"], 0), new string('z', 100_000));
        File.AppendAllText(ClipCacheFiles.Index(folder["cache"]), "{\"clip\":\"half");

        var report = ClipPreparer.Run(Request(videos, folder["cache"], labels));
        Assert.That(report.AlreadyCached, Is.EqualTo(kept));
        Assert.That(report.Added, Is.EqualTo(TrainClips.Length - kept));
        Assert.That(report.Notes, Is.Not.Empty);
        using (var cache = ClipCache.Open(folder["cache"]))
        {
            Assert.That(cache.Count, Is.EqualTo(TrainClips.Length));
            Assert.That(cache.Clips.Select(c => c.Name), Is.Unique);
        }
        Assert.That(File.ReadAllLines(ClipCacheFiles.Index(folder["cache"])), Has.Length.EqualTo(TrainClips.Length));
        AssertCacheMatchesVideos(folder["cache"], videos);
    }

    [Test]
    public void Without_labels_every_video_is_cached_without_targets()
    {
        using var folder = new ScratchFolder("prepare");
        var videos = TinySyntheticSet.CopySplit(SyntheticPlan.Test, folder.Path);
        var report = ClipPreparer.Run(Request(videos, folder["cache"], null) with { Split = "test" });
        using var cache = ClipCache.Open(folder["cache"]);
        Assert.That(report.Added, Is.EqualTo(Directory.GetFiles(videos, "*.mp4").Length));
        Assert.That(cache.Clips.All(c => c.Targets is null && c.Split == "test"), Is.True);
    }

    [TestCase("annotation_training.pkl", "train")]
    [TestCase("/data/annotation_validation.pkl", "validation")]
    [TestCase("test_gt.csv", "test")]
    [TestCase("/videos/val/", "validation")]
    [TestCase("labels.pkl", null)]
    public void The_split_name_is_guessed_from_the_file_name(string path, string? split) =>
        Assert.That(ClipPreparer.GuessSplit(path), Is.EqualTo(split));

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the test needs the callback on the worker, in order.</summary>
    private sealed class SynchronousProgress(Action<PrepareProgress> report) : IProgress<PrepareProgress>
    {
        public void Report(PrepareProgress value) => report(value);
    }
}
