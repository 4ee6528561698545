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

/// <summary>
/// Names one scratch area that a kernel keeps per worker (a packed filter, a grid, partial sums). The areas
/// themselves belong to each backend's <see cref="CpuWorkers"/> pool (<see cref="CpuWorkers.Scratch"/>), so that two
/// backends never share them; kernels hold the name in a static field.
/// </summary>
internal sealed class PerWorkerScratch
{
    private static int _count;

    /// <summary>This area's index in every pool's table.</summary>
    public int Index { get; } = Interlocked.Increment(ref _count) - 1;
}
