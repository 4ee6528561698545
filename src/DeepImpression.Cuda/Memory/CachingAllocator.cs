namespace DeepImpression.Cuda.Memory;

/// <summary>
/// Keeps released blocks in free lists by size class and lends them again, so that a training loop, which asks for
/// the same sizes every step, stops calling the driver after its first step. Size classes are four per power of
/// two (at most 25% slack), from 512 bytes up. All work of the backend runs on one stream, so a block released
/// while kernels that use it are still queued can be lent at once: the next user's work is queued after them.
/// <para>
/// Work on another stream (the copy stream) is not ordered after those kernels. So each release is numbered, and
/// the backend reports, after waiting for its stream, up to which number all work is done
/// (<see cref="MarkCompleted"/>); a block released no later than that, or fresh, is idle (<see cref="IsIdle"/>) and
/// may be written from any stream.
/// </para>
/// </summary>
internal sealed class CachingAllocator : IDisposable
{
    public const long MinimumBlock = 512;

    private readonly IDeviceMemorySource _source;
    /// <summary>The release number of memory that no holder ever released.</summary>
    public const long NeverReleased = long.MinValue;

    private readonly Dictionary<long, Stack<(ulong Address, long ReleasedAt)>> _free = new();
    private readonly object _gate = new();
    private long _reserved, _inUse, _peakReserved, _peakInUse, _driverAllocations;
    private long _releases, _completedThrough = NeverReleased;

    public CachingAllocator(IDeviceMemorySource source) => _source = source;

    /// <summary>Bytes obtained from the source and not given back: in use plus cached.</summary>
    public long ReservedBytes { get { lock (_gate) return _reserved; } }
    public long InUseBytes { get { lock (_gate) return _inUse; } }
    public long CachedBytes { get { lock (_gate) return _reserved - _inUse; } }
    public long PeakReservedBytes { get { lock (_gate) return _peakReserved; } }
    public long PeakInUseBytes { get { lock (_gate) return _peakInUse; } }

    /// <summary>How many times the source was asked for memory (stays flat in a steady state).</summary>
    public long SourceAllocations { get { lock (_gate) return _driverAllocations; } }

    /// <summary>The size class a request of <paramref name="bytes"/> is served from.</summary>
    public static long SizeClass(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes <= MinimumBlock) return MinimumBlock;
        // 2^k < bytes <= 2^(k+1); classes step by 2^k / 4 within that octave.
        int k = 63 - (int)long.LeadingZeroCount(bytes - 1);
        long step = 1L << (k - 2);
        return (bytes + step - 1) / step * step;
    }

    public DeviceBlock Rent(long bytes)
    {
        long size = SizeClass(bytes);
        lock (_gate)
        {
            if (_free.TryGetValue(size, out var stack) && stack.Count > 0)
            {
                var (address, releasedAt) = stack.Pop();
                MarkInUse(size);
                return new DeviceBlock(address, size, releasedAt);
            }
            if (!_source.TryAllocate(size, out var fresh))
            {
                // Cached blocks of other sizes may be what stands in the way: give them back and try once more.
                ReleaseCachedLocked();
                if (!_source.TryAllocate(size, out fresh))
                    throw new OutOfMemoryException(
                        $"The GPU is out of memory: {size / 1048576.0:F1} MiB requested, {_inUse / 1048576.0:F1} MiB in use by tensors " +
                        $"(peak {_peakInUse / 1048576.0:F1} MiB). Try a smaller batch.");
            }
            _driverAllocations++;
            _reserved += size;
            _peakReserved = Math.Max(_peakReserved, _reserved);
            MarkInUse(size);
            return new DeviceBlock(fresh, size);
        }
    }

    public void Return(DeviceBlock block)
    {
        lock (_gate)
        {
            if (!_free.TryGetValue(block.Bytes, out var stack)) _free.Add(block.Bytes, stack = new());
            stack.Push((block.Address, ++_releases));
            _inUse -= block.Bytes;
        }
    }

    /// <summary>The number of the latest release; read it before waiting for the stream, then pass it to
    /// <see cref="MarkCompleted"/>.</summary>
    public long ReleaseCount { get { lock (_gate) return _releases; } }

    /// <summary>All work queued before release number <paramref name="release"/> has finished.</summary>
    public void MarkCompleted(long release)
    {
        lock (_gate) _completedThrough = Math.Max(_completedThrough, release);
    }

    /// <summary>True when no queued work can still touch the block's memory from its previous holder.</summary>
    public bool IsIdle(DeviceBlock block)
    {
        lock (_gate) return block.ReleasedAt <= _completedThrough;
    }

    /// <summary>Gives every cached (free) block back to the source, e.g. between training and test-time shapes.</summary>
    public void ReleaseCached()
    {
        lock (_gate) ReleaseCachedLocked();
    }

    private void ReleaseCachedLocked()
    {
        if (_reserved == _inUse) return;
        _source.Synchronize();
        foreach (var (size, stack) in _free)
        {
            while (stack.Count > 0)
            {
                _source.Free(stack.Pop().Address);
                _reserved -= size;
            }
        }
    }

    private void MarkInUse(long size)
    {
        _inUse += size;
        _peakInUse = Math.Max(_peakInUse, _inUse);
    }

    /// <summary>Frees the cached blocks; blocks still lent out are the leak of whoever holds them.</summary>
    public void Dispose() => ReleaseCached();
}
