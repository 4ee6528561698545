using System.Collections.Concurrent;

namespace DeepImpression.Core.Backends.Cpu;

/// <summary>
/// Caches released arrays by exact length: a training step asks for the same sizes every step, so after the
/// first step nothing is allocated and no page is touched for the first time.
/// </summary>
internal sealed class CpuMemoryPool
{
    private readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> _free = new();
    private long _inUseBytes, _cachedBytes, _peakBytes;

    /// <summary>Cached (free) bytes above which released arrays are dropped for the GC instead of kept.</summary>
    public long CacheLimitBytes { get; set; } = 4L << 30;

    public (long Current, long Peak) Usage => (Interlocked.Read(ref _inUseBytes) + Interlocked.Read(ref _cachedBytes), Interlocked.Read(ref _peakBytes));

    public float[] Rent(int length)
    {
        long bytes = (long)length * sizeof(float);
        if (_free.TryGetValue(length, out var bag) && bag.TryTake(out var array))
        {
            Interlocked.Add(ref _cachedBytes, -bytes);
        }
        else
        {
            array = GC.AllocateUninitializedArray<float>(Math.Max(length, 1), pinned: true);
        }
        long now = Interlocked.Add(ref _inUseBytes, bytes) + Interlocked.Read(ref _cachedBytes);
        long peak;
        while (now > (peak = Interlocked.Read(ref _peakBytes)) && Interlocked.CompareExchange(ref _peakBytes, now, peak) != peak) { }
        FreshMemoryFill.Apply(array);
        return array;
    }

    public void Return(float[] array)
    {
        int length = array.Length;
        long bytes = (long)length * sizeof(float);
        Interlocked.Add(ref _inUseBytes, -bytes);
        if (Interlocked.Read(ref _cachedBytes) + bytes > CacheLimitBytes) return;
        Interlocked.Add(ref _cachedBytes, bytes);
        _free.GetOrAdd(length, _ => new ConcurrentBag<float[]>()).Add(array);
    }

    /// <summary>Drops every cached array (e.g. between a training run and a test-time pass of other sizes).</summary>
    public void Trim()
    {
        foreach (var (_, bag) in _free)
            while (bag.TryTake(out var a)) Interlocked.Add(ref _cachedBytes, -(long)a.Length * sizeof(float));
    }
}
