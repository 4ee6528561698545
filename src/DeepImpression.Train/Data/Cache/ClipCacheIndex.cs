using System.Text;
using System.Text.Json;

namespace DeepImpression.Train.Data.Cache;

/// <summary>One complete line of <c>index.jsonl</c>: its entry, or why it is not one.</summary>
internal sealed record IndexLine(int Number, ClipCacheEntry? Entry, string? Problem);

/// <summary>
/// Reads <c>index.jsonl</c>, one <see cref="ClipCacheEntry"/> per line. A line is written (and flushed to disk) in one
/// write, only after its clip's data is on disk, so a run killed mid-write can leave at most a torn last line without
/// its newline: that tail is not a line. Every complete line is parsed; one that is not a valid entry is reported with
/// its number and problem (<see cref="ClipCacheInspection"/> calls that damage).
/// </summary>
internal static class ClipCacheIndex
{
    // Nulls where the entry has no room for them ("clip": null) are errors, not NullReferenceExceptions later.
    private static readonly JsonSerializerOptions Json = JsonInput.Bounded(new JsonSerializerOptions { RespectNullableAnnotations = true });

    /// <summary>The complete lines, and the length of the file up to the end of the last one (where a torn tail starts).</summary>
    public static (List<IndexLine> Lines, long CompleteLength) Read(string path)
    {
        var lines = new List<IndexLine>();
        if (!File.Exists(path)) return (lines, 0);
        byte[] bytes;
        using (var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            bytes = new byte[s.Length];
            s.ReadExactly(bytes);
        }

        int start = 0, number = 0;
        while (start < bytes.Length)
        {
            int newline = Array.IndexOf(bytes, (byte)'\n', start);
            if (newline < 0) break; // a torn last line
            number++;
            var (entry, problem) = Parse(bytes.AsSpan(start, newline - start));
            lines.Add(new IndexLine(number, entry, problem));
            start = newline + 1;
        }
        return (lines, start);
    }

    public static byte[] Line(ClipCacheEntry entry) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry) + "\n");

    private static (ClipCacheEntry?, string?) Parse(ReadOnlySpan<byte> line)
    {
        if (line.Trim((byte)' ').Trim((byte)'\r').Length == 0) return (null, "empty line");
        ClipCacheEntry e;
        try
        {
            e = JsonSerializer.Deserialize<ClipCacheEntry>(line, Json) ?? throw new JsonException("null");
        }
        catch (JsonException x)
        {
            return (null, JsonInput.Reason(x));
        }
        string? problem = e switch
        {
            { Clip.Length: 0 } => "empty clip name",
            { Split.Length: 0 } => "empty split name",
            { Shard: < 0 } => $"shard {e.Shard}",
            { AudioOffset: < 0 } or { FramesOffset: < 0 } => "negative offset",
            { AudioSamples: <= 0 } => $"{e.AudioSamples} audio samples",
            { FrameCount: <= 0 } => $"{e.FrameCount} frames",
            { Targets: { } t } when t.Length != 5 || t.Any(v => !float.IsFinite(v)) => "targets are not five finite numbers",
            _ => null,
        };
        return problem is null ? (e, null) : (null, $"{e.Clip}: {problem}");
    }
}
