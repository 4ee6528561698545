using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Tests.Data;

/// <summary>The <c>synth</c> and <c>prepare</c> commands as a user runs them: exit codes and what they print.</summary>
[TestFixture]
[NonParallelizable]
public class DataCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => Commands.Cli.Run(args);

    [Test]
    public void Synth_then_prepare_makes_a_cache_and_reports_skipped_clips()
    {
        using var folder = new ScratchFolder("cli");
        var (code, output, _) = Run("synth", "--out", folder["synth"], "--clips", "4", "--seed", "2", "--seconds", "3.5", "--size", "64x36");
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("4 clips"));

        // Pointing --videos at the whole set: the other splits' videos have no training label.
        (code, output, _) = Run("prepare", "--videos", folder["synth"], "--labels", Path.Combine(folder["synth"], "annotation_training.pkl"),
            "--out", folder["cache"], "--frames", "2", "--frame-size", "64x36");
        Assert.That(code, Is.Zero, output);
        var trainCount = AnnotationFiles.Read(Path.Combine(folder["synth"], "annotation_training.pkl")).Count;
        Assert.That(output, Does.Contain($"{trainCount} added").And.Contain($"{4 - trainCount} skipped").And.Contain("no label"));
        Assert.That(File.ReadAllLines(Path.Combine(folder["cache"], "skipped-train.txt")), Has.Length.EqualTo(4 - trainCount));
        using var cache = ClipCache.Open(folder["cache"]);
        Assert.That(cache.Split("train"), Has.Count.EqualTo(trainCount));
    }

    [Test]
    public void Prepare_fails_only_when_nothing_usable_came_out()
    {
        using var folder = new ScratchFolder("cli");
        Directory.CreateDirectory(folder["videos"]);
        TestMedia.Garbage(Path.Combine(folder["videos"], "brokenAAAAA.000.mp4"));
        var labels = new LabelSet(new Dictionary<string, TraitScores> { ["brokenAAAAA.000.mp4"] = new(0.5f, 0.5f, 0.5f, 0.5f, 0.5f) });
        AnnotationFiles.WritePickle(folder["annotation_training.pkl"], labels);
        var (code, output, error) = Run("prepare", "--videos", folder["videos"], "--labels", folder["annotation_training.pkl"], "--out", folder["cache"], "--frames", "2");
        Assert.That(code, Is.Not.Zero);
        Assert.That(output, Does.Contain("brokenAAAAA.000.mp4").And.Contain("unreadable or corrupt"));
        Assert.That(error, Does.Contain("no usable clip"));
    }

    [Test]
    public void A_missing_label_file_is_one_clear_error()
    {
        using var folder = new ScratchFolder("cli");
        var (code, _, error) = Run("prepare", "--videos", folder.Path, "--labels", folder["nope.pkl"], "--out", folder["cache"]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error.Trim(), Does.StartWith("error: ").And.Contain("nope.pkl"));
        Assert.That(error, Does.Not.Contain("   at "));
    }

    [Test]
    public void A_damaged_cache_is_one_line_naming_the_clips_and_prepare_repair_fixes_it()
    {
        using var folder = new ScratchFolder("cli");
        var size = new DeepImpression.Train.Data.Decoding.FrameSize(40, 30);
        PatternClips.WriteCache(folder["cache"], 3, size, framesPerClip: 2);
        using (var s = new FileStream(ClipCacheFiles.Shard(folder["cache"], 0), FileMode.Open)) s.SetLength(s.Length - 1);
        Directory.CreateDirectory(folder["videos"]);

        var (code, _, error) = Run("prepare", "--videos", folder["videos"], "--out", folder["cache"], "--frames", "2", "--frame-size", "40x30");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.StartWith($"error: {folder["cache"]}: damaged clip cache: ").And.Contain(PatternClips.Name(2)).And.Contain("prepare --repair"));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));

        (code, var output, error) = Run("prepare", "--out", folder["cache"], "--repair");
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain(PatternClips.Name(2)).And.Contain("holds 2 clips"));
        using var cache = ClipCache.Open(folder["cache"]);
        Assert.That(cache.Count, Is.EqualTo(2));

        (code, _, error) = Run("prepare", "--out", folder["cache"]);
        Assert.That((code, error.Trim()), Is.EqualTo((2, "error: prepare: --videos is required (or --repair alone, to repair a damaged cache).")));
    }
}
