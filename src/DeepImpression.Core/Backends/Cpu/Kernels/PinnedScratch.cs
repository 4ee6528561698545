using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>
/// A grow-only, 64-byte-aligned float scratch area on the pinned heap. Kernels keep one per thread (or per worker)
/// and reuse it call after call, so the steady state allocates nothing and touches no fresh pages.
/// </summary>
internal sealed unsafe class PinnedScratch
{
    private const int AlignFloats = 16;
    private float[] _array = [];
    private float* _aligned;

    public int Capacity { get; private set; }

    /// <summary>A 64-byte-aligned pointer to at least <paramref name="count"/> floats; earlier contents are lost when it grows.</summary>
    public float* Get(long count)
    {
        if (count > Capacity)
        {
            if (count > int.MaxValue - 2 * AlignFloats)
                throw new InvalidOperationException($"A CPU kernel asked for {count} floats of scratch, more than one array can hold.");
            // Grow by half again so that a slowly rising demand does not reallocate every call.
            long grown = Math.Min(int.MaxValue - 2L * AlignFloats, Math.Max(count, (long)Capacity * 3 / 2));
            _array = GC.AllocateUninitializedArray<float>((int)grown + AlignFloats, pinned: true);
            var p = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
            _aligned = (float*)(((nint)p + 63) & ~(nint)63);
            Capacity = (int)grown;
        }
        FreshMemoryFill.Apply(new Span<float>(_aligned, (int)count));
        return _aligned;
    }

    /// <summary>Drops the array (the next <see cref="Get"/> allocates afresh).</summary>
    public void Release()
    {
        _array = [];
        _aligned = null;
        Capacity = 0;
    }
}

/// <summary>One <see cref="PinnedScratch"/> per pool participant, for kernels that index scratch by worker.</summary>
internal sealed class PerWorkerScratch
{
    private static readonly List<PerWorkerScratch> All = [];
    private readonly PinnedScratch[] _slots;

    public PerWorkerScratch()
    {
        _slots = new PinnedScratch[CpuWorkers.Count];
        for (int i = 0; i < _slots.Length; i++) _slots[i] = new PinnedScratch();
        lock (All) All.Add(this);
    }

    public PinnedScratch this[int worker] => _slots[worker];

    /// <summary>Floats held by every kernel's scratch.</summary>
    public static long TotalCapacity
    {
        get
        {
            lock (All) return All.Sum(s => s._slots.Sum(slot => (long)slot.Capacity));
        }
    }

    /// <summary>Gives every kernel's scratch back to the GC, while no kernel runs (e.g. after a test-time pass of
    /// sizes training never uses); kernels grow it again as needed.</summary>
    public static void ReleaseAll() => CpuWorkers.Serial(1, new ReleaseBody());

    private sealed class ReleaseBody : IParallelBody
    {
        public void Execute(int index, int worker)
        {
            lock (All)
                foreach (var scratch in All)
                    foreach (var slot in scratch._slots) slot.Release();
        }
    }
}
