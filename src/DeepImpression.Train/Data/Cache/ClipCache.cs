using System.IO.MemoryMappedFiles;
using DeepImpression.Core;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Data.Cache;

/// <summary>
/// A prepared clip cache opened for reading. The shard files are memory-mapped, so opening costs only the index
/// and memory use does not grow with the data set: the operating system pages clip data in and out as it is read.
/// Reads are thread-safe. Clips appended by a <c>prepare</c> running at the same time are not seen. Clips are
/// indexed by (split, name) in ordinal order, whatever order <c>prepare</c> wrote them in. A damaged cache (see
/// <see cref="ClipCacheInspection"/>) is refused with the clips named and <c>prepare --repair</c> offered.
/// </summary>
public sealed unsafe class ClipCache : IDisposable
{
    private readonly ClipCacheEntry[] _entries;
    private readonly Dictionary<string, int> _byName;
    private readonly MappedShard?[] _shards;
    private bool _disposed;

    private ClipCache(string directory, ClipCacheHeader header, ClipCacheEntry[] entries, MappedShard?[] shards)
    {
        Directory = directory;
        Header = header;
        _entries = entries;
        _shards = shards;
        _byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < entries.Length; i++) _byName[entries[i].Clip] = i;
        Clips = entries.Select(e => new CachedClip(e.Clip, e.Split, e.AudioSamples, e.FrameCount,
            e.Targets is { } t ? TraitScores.FromSpan(t) : null, e.Interview)).ToArray();
    }

    /// <summary>The cache's folder.</summary>
    public string Directory { get; }
    /// <summary>The cache's format, sample rate and frame layout.</summary>
    public ClipCacheHeader Header { get; }
    /// <summary>The size of every stored frame.</summary>
    public FrameSize FrameSize => Header.FrameSize;
    /// <summary>Every clip, by index.</summary>
    public IReadOnlyList<CachedClip> Clips { get; }
    /// <summary>How many clips.</summary>
    public int Count => _entries.Length;

    /// <summary>The split names present (e.g. <c>train</c>, <c>validation</c>, <c>test</c>).</summary>
    public IReadOnlyList<string> SplitNames => _entries.Select(e => e.Split).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>Opens the cache in <paramref name="directory"/>, maps its shards and checks the index; a damaged cache is refused with an <see cref="DeepImpression.Core.InvalidInputException"/> naming the file.</summary>
    public static ClipCache Open(string directory)
    {
        if (!System.IO.Directory.Exists(directory)) throw new InvalidInputException($"{directory}: clip cache folder not found (make one with deepimpression prepare).");
        string headerPath = ClipCacheFiles.Header(directory);
        if (!File.Exists(headerPath)) throw new InvalidInputException($"{directory}: not a clip cache ({ClipCacheFiles.HeaderName} missing; make one with deepimpression prepare).");
        var header = ClipCacheHeader.Read(headerPath);
        // Damage is refused, never skipped: a silently dropped clip can make a whole split disappear.
        var inspection = ClipCacheInspection.Of(directory, header);
        if (inspection.IsDamaged) throw inspection.Refusal();
        var entries = inspection.Whole;
        var lengths = entries.Select(e => e.Shard).Distinct().ToDictionary(s => s, s => new FileInfo(ClipCacheFiles.Shard(directory, s)).Length);

        var shards = new MappedShard?[lengths.Count == 0 ? 0 : lengths.Keys.Max() + 1];
        try
        {
            foreach (var shard in entries.Select(e => e.Shard).Distinct())
                shards[shard] = new MappedShard(ClipCacheFiles.Shard(directory, shard), lengths[shard]);
        }
        catch
        {
            foreach (var s in shards) s?.Dispose();
            throw;
        }
        // Parallel prepare jobs append clips in the order they finish; sorting by name makes clip indices, and so
        // the epochs a seed shuffles from them, the same for every preparation of the same videos.
        var ordered = entries.OrderBy(e => e.Split, StringComparer.Ordinal).ThenBy(e => e.Clip, StringComparer.Ordinal).ToArray();
        return new ClipCache(directory, header, ordered, shards);
    }

    /// <summary>Finds the index of the clip named <paramref name="clipName"/>.</summary>
    public bool TryGetIndex(string clipName, out int index) => _byName.TryGetValue(clipName, out index);

    /// <summary>Indices of the clips of one split, in name order.</summary>
    public IReadOnlyList<int> Split(string split)
    {
        var result = new List<int>();
        for (int i = 0; i < _entries.Length; i++) if (_entries[i].Split == split) result.Add(i);
        return result;
    }

    /// <summary>The clip's whole waveform (16 kHz mono, [-1, 1]), read straight from the mapped file.</summary>
    public ReadOnlySpan<float> Audio(int clip)
    {
        var e = _entries[clip];
        return new ReadOnlySpan<float>(Pointer(e.Shard, e.AudioOffset), e.AudioSamples);
    }

    /// <summary>One cached frame: 3 x H x W bytes, planes R, G, B.</summary>
    public ReadOnlySpan<byte> Frame(int clip, int frame)
    {
        var e = _entries[clip];
        if ((uint)frame >= (uint)e.FrameCount) throw new ArgumentOutOfRangeException(nameof(frame), $"{e.Clip} has {e.FrameCount} cached frames.");
        int bytes = Header.FrameSize.BytesPerFrame;
        return new ReadOnlySpan<byte>(Pointer(e.Shard, e.FramesOffset + (long)frame * bytes), bytes);
    }

    /// <summary>Unmaps the shards; spans handed out before are invalid afterwards.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var s in _shards) s?.Dispose();
    }

    private byte* Pointer(int shard, long offset)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _shards[shard]!.Base + offset;
    }

    /// <summary>One shard file mapped read-only, with its base address pinned for the cache's lifetime.</summary>
    private sealed class MappedShard : IDisposable
    {
        private readonly MemoryMappedFile _file;
        private readonly MemoryMappedViewAccessor _view;

        public MappedShard(string path, long length)
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            try
            {
                // The mapping owns the stream from here on (leaveOpen: false).
                _file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            }
            catch
            {
                stream.Dispose();
                throw;
            }
            _view = _file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* p = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            Base = p + _view.PointerOffset;
        }

        public byte* Base { get; }

        public void Dispose()
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _file.Dispose();
        }
    }
}
