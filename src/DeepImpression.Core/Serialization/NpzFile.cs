using System.IO.Compression;

namespace DeepImpression.Core.Serialization;

/// <summary>
/// Reading and writing whole .npz files, compatible with <c>np.load</c>, <c>np.savez</c> and
/// <c>np.savez_compressed</c>. Writes are atomic: a failed write leaves the previous file as it was.
/// </summary>
public static class NpzFile
{
    // A fixed entry time, so that the same arrays always give the same bytes.
    private static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>True when <paramref name="path"/> exists and starts as a zip file does (an npz, a checkpoint).</summary>
    public static bool LooksLikeNpz(string path)
    {
        if (!File.Exists(path)) return false;
        Span<byte> magic = stackalloc byte[4];
        try
        {
            using var stream = File.OpenRead(path);
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic[0] == (byte)'P' && magic[1] == (byte)'K' && magic[2] is 3 or 5 && magic[3] is 4 or 6;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Every array of the file, keyed as numpy keys them, in file order. Reads every array whole: for a file
    /// from outside, describe and read only the keys you expect with <see cref="NpzArchive"/>.</summary>
    public static IReadOnlyDictionary<string, NpyArray> Read(string path)
    {
        using var archive = NpzArchive.Open(path);
        return archive.ReadAll();
    }

    /// <summary>Writes the arrays as <c>&lt;key&gt;.npy</c> entries, stored (as <c>np.savez</c> does) or deflated (as
    /// <c>np.savez_compressed</c> does), atomically.</summary>
    public static void Write(string path, IEnumerable<(string Key, NpyArray Array)> arrays, bool compress = false)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var list = arrays.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, array) in list)
        {
            if (string.IsNullOrEmpty(key) || key.Contains('\0') || key.EndsWith('/')) throw new ArgumentException($"'{key}' is not a valid npz key.", nameof(arrays));
            if (!seen.Add(key)) throw new ArgumentException($"The key '{key}' appears twice.", nameof(arrays));
            ArgumentNullException.ThrowIfNull(array, key);
        }

        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (key, array) in list)
            {
                var entry = zip.CreateEntry(key + ".npy", compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
                entry.LastWriteTime = EntryTime;
                using var entryStream = entry.Open();
                NpyFormat.Write(entryStream, array);
            }
        });
    }

    /// <summary>As the tuple overload of <c>Write</c>, from a dictionary.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compress = false) =>
        Write(path, arrays.Select(pair => (pair.Key, pair.Value)), compress);
}
