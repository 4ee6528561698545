using System.Globalization;
using DeepImpression.Core;

namespace DeepImpression.Train.Data.Cache;

/// <summary>
/// What a cache folder holds, checked line by line: the clips whose index entry is valid and whose data is all on
/// disk, and everything else as damage. Because a clip's data is flushed before its index line is written, an
/// interrupted <c>prepare</c> leaves only a torn last line and unindexed data, never an entry without its data: an
/// entry that points past the end of its shard (the shard was truncated), a line that is not an entry, a clip listed
/// twice or with more frames than the cache holds is corruption. Readers refuse a damaged cache with one line naming
/// the clips; <c>prepare --repair</c> drops those lines so that the next <c>prepare</c> decodes the clips again.
/// </summary>
internal sealed class ClipCacheInspection
{
    private const int NamesShown = 5;

    private ClipCacheInspection(string directory, List<ClipCacheEntry> whole, List<IndexLine> damaged, List<string> problems, long completeLength, bool tornTail)
    {
        Directory = directory;
        Whole = whole;
        Damaged = damaged;
        Problems = problems;
        CompleteLength = completeLength;
        HasTornTail = tornTail;
    }

    public string Directory { get; }

    /// <summary>Entries that are valid and whose data is on disk, in index order.</summary>
    public List<ClipCacheEntry> Whole { get; }

    /// <summary>Index lines that are damage, in index order.</summary>
    public List<IndexLine> Damaged { get; }

    /// <summary>The damage, grouped, in a few words each.</summary>
    public List<string> Problems { get; }

    /// <summary>Length of <c>index.jsonl</c> up to its last complete line.</summary>
    public long CompleteLength { get; }

    /// <summary>The index ends with a torn line: what a killed <c>prepare</c> leaves (not damage).</summary>
    public bool HasTornTail { get; }

    public bool IsDamaged => Damaged.Count > 0;

    public static ClipCacheInspection Of(string directory, ClipCacheHeader header)
    {
        string indexPath = ClipCacheFiles.Index(directory);
        var (lines, completeLength) = ClipCacheIndex.Read(indexPath);
        bool torn = File.Exists(indexPath) && new FileInfo(indexPath).Length > completeLength;
        int bytesPerFrame = header.FrameSize.BytesPerFrame;
        var shardLengths = new Dictionary<int, long>();

        var whole = new List<ClipCacheEntry>();
        var damaged = new List<IndexLine>();
        var unreadable = new List<string>();
        var pastEnd = new SortedDictionary<int, List<string>>();
        var tooManyFrames = new List<string>();
        var twice = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (line.Entry is not { } e)
            {
                unreadable.Add($"line {line.Number} ({line.Problem})");
                damaged.Add(line);
                continue;
            }
            if (!shardLengths.TryGetValue(e.Shard, out long length))
            {
                var path = ClipCacheFiles.Shard(directory, e.Shard);
                shardLengths[e.Shard] = length = File.Exists(path) ? new FileInfo(path).Length : 0;
            }
            List<string>? list = null;
            if (e.End(bytesPerFrame) > length) list = pastEnd.TryGetValue(e.Shard, out var l) ? l : pastEnd[e.Shard] = [];
            else if (e.FrameCount > header.FramesPerClip) list = tooManyFrames;
            else if (!names.Add(e.Clip)) list = twice;
            if (list is null)
            {
                whole.Add(e);
                continue;
            }
            list.Add(e.Clip);
            damaged.Add(line);
        }

        var problems = new List<string>();
        if (unreadable.Count > 0) problems.Add($"{ClipCacheFiles.IndexName} has {Count(unreadable.Count, "line")} that {(unreadable.Count == 1 ? "is" : "are")} not a cache entry: {Names(unreadable)}");
        foreach (var (shard, clips) in pastEnd)
        {
            var shardName = Path.GetFileName(ClipCacheFiles.Shard(directory, shard));
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"{shardName} ends at byte {shardLengths[shard]:N0} (truncated?) but {Count(clips.Count, "clip")} {(clips.Count == 1 ? "is" : "are")} indexed past its end: {Names(clips)}"));
        }
        if (tooManyFrames.Count > 0) problems.Add($"{Count(tooManyFrames.Count, "clip")} with more than the cache's {header.FramesPerClip} frames: {Names(tooManyFrames)}");
        if (twice.Count > 0) problems.Add($"{Count(twice.Count, "clip")} listed twice: {Names(twice)}");
        return new ClipCacheInspection(directory, whole, damaged, problems, completeLength, torn);
    }

    /// <summary>One line: what is damaged, and how to repair it.</summary>
    public InvalidInputException Refusal() => new(
        $"{Directory}: damaged clip cache: {string.Join("; ", Problems)}. " +
        $"Run 'deepimpression prepare --repair --out {Directory}' to drop these entries; the next prepare decodes those clips again.");

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string Names(List<string> names) =>
        string.Join(", ", names.Take(NamesShown)) + (names.Count > NamesShown ? $" and {names.Count - NamesShown} more" : "");
}
