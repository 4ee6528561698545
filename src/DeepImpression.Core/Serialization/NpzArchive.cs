using System.IO.Compression;

namespace DeepImpression.Core.Serialization;

/// <summary>
/// An open .npz file (a zip of <c>&lt;key&gt;.npy</c> entries, stored or deflated, as <c>np.savez</c> and
/// <c>np.savez_compressed</c> write it) whose arrays are read one at a time, on demand. Keys are the entry names
/// without <c>.npy</c> and may contain slashes (<c>aud/conv1_relu/conv/W</c>). Opening reads only the zip's
/// directory (names are checked there); <see cref="Describe"/> inflates only an array's header, so a reader can
/// check names and shapes against what it expects before it inflates any data (a zip bomb declares little and
/// inflates to gigabytes).
/// </summary>
public sealed class NpzArchive : IDisposable, IArraySource
{
    /// <summary>Longest entry name accepted; the model's longest key is under 60 characters.</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>Most entries accepted; a checkpoint holds about 800 (weights, statistics, optimizer moments).</summary>
    public const int MaxEntries = 65_536;

    private readonly ZipArchive _zip;
    private readonly Dictionary<string, ZipArchiveEntry> _entries;

    private NpzArchive(string path, ZipArchive zip, Dictionary<string, ZipArchiveEntry> entries)
    {
        Path = path;
        _zip = zip;
        _entries = entries;
    }

    /// <summary>The file opened, for messages.</summary>
    public string Path { get; }

    /// <summary>The keys in the order of the archive.</summary>
    public IReadOnlyCollection<string> Keys => _entries.Keys;

    /// <summary>True when the archive holds an array named <paramref name="key"/>.</summary>
    public bool Contains(string key) => _entries.ContainsKey(key);

    /// <summary>Opens <paramref name="path"/> and reads its zip directory only; arrays are read on demand. Throws <see cref="InvalidInputException"/> for a missing or malformed file.</summary>
    public static NpzArchive Open(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: file not found.");
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
            var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            if (zip.Entries.Count > MaxEntries) throw new InvalidInputException($"{path}: {zip.Entries.Count:N0} entries, more than the {MaxEntries:N0} an npz of this program may hold.");
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/') && entry.Length == 0) continue; // a folder entry
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal))
                    throw new InvalidInputException($"{path}: the entry '{Printable(entry.FullName)}' is not an .npy array.");
                var key = entry.FullName[..^4];
                if (key.Length == 0 || key.Length > MaxKeyLength || key.Any(char.IsControl))
                    throw new InvalidInputException($"{path}: the entry name '{Printable(entry.FullName)}' is not an array key (empty, control characters, or over {MaxKeyLength} characters).");
                if (!entries.TryAdd(key, entry)) throw new InvalidInputException($"{path}: the array '{key}' appears twice.");
            }
            return new NpzArchive(path, zip, entries);
        }
        catch (InvalidDataException e)
        {
            stream.Dispose();
            throw new InvalidInputException($"{path}: not a readable .npz (zip) file, truncated or corrupt: {e.Message}", e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>What the array under <paramref name="key"/> declares (type, shape, size), read from its header alone.</summary>
    public NpyArrayInfo Describe(string key)
    {
        if (!_entries.TryGetValue(key, out var entry)) throw new InvalidInputException($"{Path}: there is no array '{key}'.");
        var source = $"{Path}: array '{key}'";
        try
        {
            using var stream = entry.Open();
            return NpyFormat.ReadHeader(stream, source).Info;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidInputException($"{source}: corrupt zip entry: {e.Message}", e);
        }
    }

    /// <summary>Reads the array stored under <paramref name="key"/>.</summary>
    public NpyArray Read(string key)
    {
        if (!_entries.TryGetValue(key, out var entry)) throw new InvalidInputException($"{Path}: there is no array '{key}'.");
        var source = $"{Path}: array '{key}'";
        try
        {
            using var stream = new ChecksummingStream(entry.Open());
            var array = NpyFormat.Read(stream, source, entry.Length);
            if (stream.ReadByte() >= 0) throw new InvalidInputException($"{source}: bytes follow the array's data (corrupt).");
            if (stream.Crc != entry.Crc32)
                throw new InvalidInputException($"{source}: corrupt: the data's CRC-32 is {stream.Crc:x8}, the zip says {entry.Crc32:x8}.");
            return array;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidInputException($"{source}: corrupt zip entry: {e.Message}", e);
        }
    }

    /// <summary>Reads every array, in archive order.</summary>
    public IReadOnlyDictionary<string, NpyArray> ReadAll()
    {
        var arrays = new Dictionary<string, NpyArray>(_entries.Count, StringComparer.Ordinal);
        foreach (var key in _entries.Keys) arrays.Add(key, Read(key));
        return arrays;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _zip.Dispose();

    // Keeps a message on one line whatever bytes a hostile entry name holds.
    private static string Printable(string name) =>
        new(name.Take(80).Select(c => char.IsControl(c) ? '?' : c).Concat(name.Length > 80 ? "…" : "").ToArray());

    /// <summary>Passes an entry's bytes through while computing their CRC-32.</summary>
    private sealed class ChecksummingStream(Stream inner) : Stream
    {
        public uint Crc { get; private set; }

        public override int Read(Span<byte> buffer)
        {
            var count = inner.Read(buffer);
            Crc = Crc32.Update(Crc, buffer[..count]);
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int ReadByte()
        {
            Span<byte> one = stackalloc byte[1];
            return Read(one) == 1 ? one[0] : -1;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
