using System.Runtime.InteropServices;
using DeepImpression.Core;
using DeepImpression.Core.Serialization;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Data.Cache;

/// <summary>
/// Appends decoded clips to a cache folder. Per clip: its data goes to the end of the current shard and is flushed
/// to disk, then its index line is appended and flushed. A run killed at any moment therefore leaves every indexed
/// clip whole; opening the folder again cuts off the data and the torn index line of the clips that were in flight.
/// Safe to call <see cref="Append"/> from several threads (writes are serialised).
/// </summary>
internal sealed class ClipCacheWriter : IDisposable
{
    private const string LockName = "prepare.lock";

    private readonly object _gate = new();
    private readonly Dictionary<string, ClipCacheEntry> _entries = new(StringComparer.Ordinal);
    private readonly long _shardLimit;
    private readonly FolderLock _lock;
    private readonly FileStream _index;
    private FileStream _data;
    private int _shard;
    private bool _disposed;

    private ClipCacheWriter(string directory, ClipCacheHeader header, long shardLimit, FolderLock lockFile, List<ClipCacheEntry> entries, List<string> notes)
    {
        Directory = directory;
        Header = header;
        _shardLimit = shardLimit;
        _lock = lockFile;
        RecoveryNotes = notes;
        foreach (var e in entries) _entries.TryAdd(e.Clip, e);

        _shard = entries.Count == 0 ? 0 : entries.Max(e => e.Shard);
        _data = OpenShard(_shard);
        _index = new FileStream(ClipCacheFiles.Index(directory), FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete);
    }

    public string Directory { get; }
    public ClipCacheHeader Header { get; }

    /// <summary>What opening the folder had to repair (cut-off data of clips that were in flight, lost entries).</summary>
    public IReadOnlyList<string> RecoveryNotes { get; }

    public int Count
    {
        get { lock (_gate) return _entries.Count; }
    }

    public bool TryGet(string clip, out ClipCacheEntry entry)
    {
        lock (_gate) return _entries.TryGetValue(clip, out entry!);
    }

    /// <summary>
    /// Opens (creating if needed) the cache in <paramref name="directory"/> for appending. An existing cache must
    /// have the same frame size and frames per clip. A damaged one (see <see cref="ClipCacheInspection"/>) is refused
    /// unless <paramref name="repair"/>, which drops the damaged index lines so that their clips are decoded again.
    /// </summary>
    public static ClipCacheWriter Open(string directory, FrameSize frameSize, int framesPerClip, long shardLimitBytes = ClipCacheFiles.DefaultShardLimitBytes, bool repair = false)
    {
        if (framesPerClip <= 0) throw new InvalidInputException($"--frames {framesPerClip}: must be at least 1.");
        System.IO.Directory.CreateDirectory(directory);
        var lockFile = FolderLock.Acquire(directory, LockName, "another prepare is writing to this cache");

        try
        {
            string headerPath = ClipCacheFiles.Header(directory);
            var wanted = ClipCacheHeader.Create(frameSize, framesPerClip);
            ClipCacheHeader header;
            if (File.Exists(headerPath))
            {
                header = ClipCacheHeader.Read(headerPath);
                if (header.FrameSize != frameSize || header.FramesPerClip != framesPerClip)
                    throw new InvalidInputException($"{directory}: this cache holds {header.FramesPerClip} frames of {header.FrameSize} per clip, not {framesPerClip} of {frameSize}; use the same settings or another --out folder.");
            }
            else
            {
                if (File.Exists(ClipCacheFiles.Index(directory)))
                    throw new InvalidInputException($"{headerPath}: missing although the folder has an index; not a clip cache.");
                header = wanted;
                header.Write(headerPath);
            }

            var (entries, notes) = Recover(directory, header, repair);
            return new ClipCacheWriter(directory, header, shardLimitBytes, lockFile, entries, notes);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Repairs the cache in <paramref name="directory"/> with its own settings: drops damaged index lines (their clips
    /// are decoded again by the next <c>prepare</c>) and what interrupted runs left. Returns what was done.
    /// </summary>
    public static IReadOnlyList<string> Repair(string directory)
    {
        string headerPath = ClipCacheFiles.Header(directory);
        if (!File.Exists(headerPath)) throw new InvalidInputException($"{directory}: not a clip cache ({ClipCacheFiles.HeaderName} missing); nothing to repair.");
        var header = ClipCacheHeader.Read(headerPath);
        using var writer = Open(directory, header.FrameSize, header.FramesPerClip, repair: true);
        return writer.RecoveryNotes;
    }

    /// <summary>Appends one decoded clip and returns its index entry; durable when this returns.</summary>
    public ClipCacheEntry Append(string clip, string split, DecodedClip decoded, TraitScores? targets, float? interview, string? source)
    {
        if (decoded.FrameSize != Header.FrameSize) throw new ArgumentException($"{clip}: decoded at {decoded.FrameSize}, the cache holds {Header.FrameSize}.");
        if (decoded.FrameCount <= 0 || decoded.FrameCount > Header.FramesPerClip) throw new ArgumentException($"{clip}: {decoded.FrameCount} frames, the cache holds 1 to {Header.FramesPerClip}.");
        if (decoded.Audio.Length == 0) throw new ArgumentException($"{clip}: no audio.");

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.ContainsKey(clip)) throw new InvalidOperationException($"{clip} is already in the cache.");

            long audioBytes = (long)decoded.Audio.Length * sizeof(float);
            long need = ClipCacheFiles.Align(audioBytes) + decoded.Frames.Length;
            long start = ClipCacheFiles.Align(_data.Length);
            if (start > 0 && start + need > _shardLimit)
            {
                _data.Dispose();
                _shard++;
                _data = OpenShard(_shard);
                start = 0;
            }

            long framesOffset = ClipCacheFiles.Align(start + audioBytes);
            _data.Position = start;
            _data.Write(MemoryMarshal.AsBytes(decoded.Audio.AsSpan()));
            _data.Position = framesOffset;
            _data.Write(decoded.Frames);
            _data.Flush(flushToDisk: true);

            var entry = new ClipCacheEntry
            {
                Clip = clip,
                Split = split,
                Shard = _shard,
                AudioOffset = start,
                AudioSamples = decoded.Audio.Length,
                FramesOffset = framesOffset,
                FrameCount = decoded.FrameCount,
                Targets = targets?.ToArray(),
                Interview = interview,
                Source = source,
            };
            _index.Write(ClipCacheIndex.Line(entry));
            _index.Flush(flushToDisk: true);
            _entries.Add(clip, entry);
            return entry;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _data.Dispose();
            _index.Dispose();
            _lock.Dispose();
        }
    }

    private FileStream OpenShard(int shard) =>
        new(ClipCacheFiles.Shard(Directory, shard), FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read | FileShare.Delete);

    /// <summary>
    /// Brings the folder back to exactly its indexed clips: drops a torn index tail (an interrupted run), drops
    /// damaged entries when repairing (refuses otherwise), and cuts every shard after its last indexed clip.
    /// </summary>
    private static (List<ClipCacheEntry> Entries, List<string> Notes) Recover(string directory, ClipCacheHeader header, bool repair)
    {
        var notes = new List<string>();
        var inspection = ClipCacheInspection.Of(directory, header);
        if (inspection.IsDamaged && !repair) throw inspection.Refusal();
        string indexPath = ClipCacheFiles.Index(directory);
        if (inspection.HasTornTail)
        {
            notes.Add($"{indexPath}: dropped a torn last entry left by an interrupted run.");
            using var s = new FileStream(indexPath, FileMode.Open, FileAccess.Write, FileShare.Read);
            s.SetLength(inspection.CompleteLength);
            s.Flush(flushToDisk: true);
        }
        var kept = inspection.Whole;
        if (inspection.IsDamaged)
        {
            AtomicFile.Write(indexPath, s => { foreach (var e in kept) s.Write(ClipCacheIndex.Line(e)); });
            notes.Add($"repaired {directory}: dropped {inspection.Damaged.Count} damaged index line(s) ({string.Join("; ", inspection.Problems)}); prepare decodes those clips again.");
        }

        int bytesPerFrame = header.FrameSize.BytesPerFrame;
        long ShardLength(int shard) => File.Exists(ClipCacheFiles.Shard(directory, shard)) ? new FileInfo(ClipCacheFiles.Shard(directory, shard)).Length : 0;

        // Cut the data of clips that were in flight (written, never indexed) off the end of every shard.
        var ends = kept.GroupBy(e => e.Shard).ToDictionary(g => g.Key, g => g.Max(e => e.End(bytesPerFrame)));
        for (int shard = 0; File.Exists(ClipCacheFiles.Shard(directory, shard)); shard++)
        {
            long end = ends.GetValueOrDefault(shard, 0), length = ShardLength(shard);
            if (length > end)
            {
                using var s = new FileStream(ClipCacheFiles.Shard(directory, shard), FileMode.Open, FileAccess.Write, FileShare.Read);
                s.SetLength(end);
                s.Flush(flushToDisk: true);
                notes.Add($"{ClipCacheFiles.Shard(directory, shard)}: cut {length - end:N0} bytes after its last indexed clip (left by an interrupted run or a dropped entry).");
            }
        }
        return (kept, notes);
    }
}
