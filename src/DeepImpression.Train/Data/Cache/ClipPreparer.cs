using System.Collections.Concurrent;
using DeepImpression.Core;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Data.Cache;

/// <summary>
/// Decodes the videos of one split into a clip cache, several at a time. Videos are found by file name anywhere
/// under the videos folder (see <see cref="FolderWalk"/>: links are followed, every real folder searched once). Outcomes, per clip: cached; already cached (a rerun skips it); skipped and reported —
/// a label with no video, a video with no label (when labels are given), or a video that cannot be used (no audio,
/// too short, corrupt...). One bad clip never costs another. Cancelling loses only the clips in flight.
/// </summary>
public static class ClipPreparer
{
    /// <summary>32 frames of 456 x 256 RGB are 11.2 MB; with 15 s of float audio (0.96 MB) a clip costs about 12.2 MB.</summary>
    public const int DefaultFramesPerClip = 32;

    /// <summary>Decodes the videos of the request into the cache, skipping clips already cached; clips that cannot be used are skipped and listed in the report, and a cancelled run keeps every clip it completed.</summary>
    public static PrepareReport Run(PrepareRequest request, IProgress<PrepareProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (!Directory.Exists(request.VideosDirectory)) throw new InvalidInputException($"{request.VideosDirectory}: videos folder not found.");
        if (request.Jobs <= 0) throw new InvalidInputException($"--jobs {request.Jobs}: must be at least 1.");

        var skipped = new ConcurrentBag<SkippedClip>();
        var notes = new List<string>();
        var videos = FindVideos(request.VideosDirectory, notes);
        var work = new List<(string Clip, string Path, TraitScores? Targets, float? Interview)>();
        if (request.Labels is { } labels)
        {
            string source = labels.Source ?? "the label file";
            foreach (var (clip, scores) in labels.Clips.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                if (videos.TryGetValue(clip, out var path) || videos.TryGetValue(clip + ".mp4", out path))
                    work.Add((clip, path, scores, labels.Interview?.TryGetValue(clip, out var iv) == true ? iv : null));
                else
                    skipped.Add(new SkippedClip(clip, $"labelled in {source} but no video {clip} under {request.VideosDirectory}"));
            }
            var labelled = new HashSet<string>(labels.Clips.Keys, StringComparer.Ordinal);
            foreach (var name in videos.Keys.Order(StringComparer.Ordinal))
                if (!labelled.Contains(name) && !labelled.Contains(Path.GetFileNameWithoutExtension(name)))
                    skipped.Add(new SkippedClip(name, $"video has no label in {source}"));
        }
        else
        {
            foreach (var (name, path) in videos.OrderBy(v => v.Key, StringComparer.Ordinal)) work.Add((name, path, null, null));
        }

        using var writer = ClipCacheWriter.Open(request.CacheDirectory, request.FrameSize, request.FramesPerClip, request.ShardLimitBytes, request.Repair);
        int alreadyCached = 0;
        var todo = new List<(string Clip, string Path, TraitScores? Targets, float? Interview)>();
        foreach (var item in work)
        {
            if (!writer.TryGet(item.Clip, out var existing)) todo.Add(item);
            else if (existing.Split == request.Split) alreadyCached++;
            else skipped.Add(new SkippedClip(item.Clip, $"already cached as part of split '{existing.Split}'"));
        }

        var decoder = new ClipDecoder(request.FrameSize, request.MinimumAudioSamples);
        int done = 0, added = 0, failed = 0;
        progress?.Report(new PrepareProgress(0, todo.Count, 0, 0, null));
        var options = new ParallelOptions { MaxDegreeOfParallelism = request.Jobs, CancellationToken = cancellation };
        Parallel.ForEach(todo, options, item =>
        {
            string? reason = null;
            try
            {
                var clip = decoder.Decode(item.Path, request.FramesPerClip, cancellation);
                writer.Append(item.Clip, request.Split, clip, item.Targets, item.Interview, Path.GetRelativePath(request.VideosDirectory, item.Path));
                Interlocked.Increment(ref added);
            }
            catch (InvalidInputException e)
            {
                reason = e.Message;
            }
            if (reason is not null)
            {
                skipped.Add(new SkippedClip(item.Clip, reason));
                Interlocked.Increment(ref failed);
            }
            int n = Interlocked.Increment(ref done);
            progress?.Report(new PrepareProgress(n, todo.Count, Volatile.Read(ref added), Volatile.Read(ref failed), item.Clip));
        });

        return new PrepareReport
        {
            CacheDirectory = request.CacheDirectory,
            Added = added,
            AlreadyCached = alreadyCached,
            Skipped = skipped.OrderBy(s => s.Clip, StringComparer.Ordinal).ToArray(),
            Notes = [.. writer.RecoveryNotes, .. notes],
        };
    }

    /// <summary>The split name a label or video path suggests: <c>train</c>, <c>validation</c> or <c>test</c>, else null.</summary>
    public static string? GuessSplit(string path)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(path)).ToLowerInvariant();
        if (name.Contains("train")) return "train";
        if (name.Contains("val")) return "validation";
        if (name.Contains("test")) return "test";
        return null;
    }

    private static Dictionary<string, string> FindVideos(string directory, List<string> notes)
    {
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        var walk = new FolderWalk(directory);
        foreach (var file in walk.Files(name => name.EndsWith(".mp4", StringComparison.OrdinalIgnoreCase)))
        {
            var name = Path.GetFileName(file);
            if (!byName.TryAdd(name, file))
                notes.Add($"{name}: found twice ({byName[name]} and {file}); using the first.");
        }
        notes.AddRange(walk.Notes);
        return byName;
    }
}
