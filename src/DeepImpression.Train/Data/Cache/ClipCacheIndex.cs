using System.Text;
using System.Text.Json;
using DeepImpression.Core;

namespace DeepImpression.Train.Data.Cache;

/// <summary>
/// Reads <c>index.jsonl</c>, one <see cref="ClipCacheEntry"/> per line. A line is written (and flushed to disk)
/// only after its clip's data is on disk, so a run killed mid-write can leave at most one torn line at the end:
/// that tail is ignored. A bad line followed by good ones is real damage and an error.
/// </summary>
internal static class ClipCacheIndex
{
    public static (List<ClipCacheEntry> Entries, long ValidLength) Read(string path)
    {
        var entries = new List<ClipCacheEntry>();
        if (!File.Exists(path)) return (entries, 0);
        byte[] bytes;
        using (var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            bytes = new byte[s.Length];
            s.ReadExactly(bytes);
        }

        long valid = 0;
        int start = 0, lineNumber = 0;
        int? badLine = null;
        while (start < bytes.Length)
        {
            int newline = Array.IndexOf(bytes, (byte)'\n', start);
            if (newline < 0) break; // a torn last line
            lineNumber++;
            var entry = Parse(bytes.AsSpan(start, newline - start));
            if (entry is null)
            {
                badLine ??= lineNumber;
            }
            else
            {
                if (badLine is { } b) throw new InvalidInputException($"{path}: line {b} is not a valid cache entry but later lines are; the cache is damaged. Delete the folder and prepare again.");
                entries.Add(entry);
                valid = newline + 1;
            }
            start = newline + 1;
        }
        return (entries, valid);
    }

    public static byte[] Line(ClipCacheEntry entry) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry) + "\n");

    private static ClipCacheEntry? Parse(ReadOnlySpan<byte> line)
    {
        if (line.Trim((byte)' ').Length == 0) return null;
        try
        {
            var e = JsonSerializer.Deserialize<ClipCacheEntry>(line);
            if (e is null || e.Clip.Length == 0 || e.Shard < 0 || e.AudioOffset < 0 || e.FramesOffset < 0 || e.AudioSamples <= 0 || e.FrameCount <= 0) return null;
            if (e.Targets is { } t && (t.Length != 5 || t.Any(v => !float.IsFinite(v)))) return null;
            return e;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
