using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Synthetic;

/// <summary>
/// The embedded default data of <c>deepimpression train</c>: the small synthetic set
/// (<see cref="SyntheticDataSetOptions.EmbeddedDefault"/>), generated with ffmpeg and prepared into a clip cache once,
/// under DEEPIMPRESSION_HOME (default ~/.cache/deepimpression). Reruns reuse it; an interrupted build resumes.
/// Training on it uses a 112-pixel crop and a 16,384-sample audio window instead of the original 224 and 50,176 so
/// that the main command finishes in minutes on two CPU cores; the network is the same (it is fully convolutional).
/// </summary>
internal static class SyntheticDefault
{
    public const int Clips = 240;
    public const int Epochs = 75;
    /// <summary>Its epochs are short (4 steps), so validating each one would take as long as training.</summary>
    public const int EvalEvery = 5;
    public const int CropSize = 112;
    public const int AudioWindow = 16_384;
    public const int FramesPerClip = 8;
    /// <summary>Batch-norm statistics recomputed over this many training examples before each validation: its running
    /// averages lag the fast-moving weights of these short epochs, and validation swung below the mean predictor.</summary>
    public const int PreciseBatchNormExamples = 256;
    public static readonly FrameSize CachedFrameSize = new(228, 128);

    public static string Home =>
        Environment.GetEnvironmentVariable("DEEPIMPRESSION_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "deepimpression");

    /// <summary>Makes the synthetic videos and their cache if they are not complete yet; returns the cache folder.
    /// Without ffmpeg on PATH the clips are drawn straight into a cache of their own (<see cref="SyntheticCacheRenderer"/>).</summary>
    public static string EnsurePrepared(TextWriter log, string? root = null, CancellationToken cancellation = default)
    {
        root ??= Path.Combine(Home, "synthetic-v1");
        if (!OnPath(ExternalTool.Ffmpeg)) return EnsureRendered(log, Path.Combine(root, "cache-rendered"), cancellation);
        string videos = Path.Combine(root, "videos"), cache = Path.Combine(root, "cache");
        var generated = SyntheticDataSet.Generate(SyntheticDataSetOptions.EmbeddedDefault(videos) with { Clips = Clips }, cancellation: cancellation);
        if (generated.Encoded > 0)
            log.WriteLine($"synthetic data: encoded {generated.Encoded} clips into {videos} in {generated.Elapsed.TotalSeconds:F0} s");

        foreach (var (split, labelFile) in SyntheticDataSet.LabelFiles)
        {
            var report = ClipPreparer.Run(new PrepareRequest
            {
                VideosDirectory = Path.Combine(videos, split),
                CacheDirectory = cache,
                Labels = AnnotationFiles.Read(Path.Combine(videos, labelFile)),
                Split = split,
                FramesPerClip = FramesPerClip,
                FrameSize = CachedFrameSize,
            }, cancellation: cancellation);
            if (report.Added > 0) log.WriteLine($"synthetic data: cached {report.Added} {split} clips in {cache}");
            if (report.Skipped.Count > 0)
                throw new InvalidOperationException($"synthetic data: {report.Skipped.Count} generated clips could not be cached, e.g. " +
                                                    $"{report.Skipped[0].Clip}: {report.Skipped[0].Reason}");
        }
        return cache;
    }

    private static string EnsureRendered(TextWriter log, string cache, CancellationToken cancellation)
    {
        var options = SyntheticDataSetOptions.EmbeddedDefault(cache) with { Clips = Clips, FrameSize = CachedFrameSize };
        int added = SyntheticCacheRenderer.Render(options, cache, FramesPerClip, [.. SyntheticDataSet.LabelFiles.Keys.Where(s => s != SyntheticPlan.Test)],
            cancellation);
        if (added > 0) log.WriteLine($"synthetic data: ffmpeg is not on PATH, so {added} clips were drawn straight into {cache} (no video files)");
        return cache;
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, program)));
}
