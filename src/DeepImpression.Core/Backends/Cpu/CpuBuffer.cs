using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends.Cpu;

/// <summary>Host storage: a pinned float array (so kernels may take raw pointers), lent by <see cref="CpuMemoryPool"/>.</summary>
internal sealed class CpuBuffer : DeviceBuffer
{
    private readonly CpuMemoryPool _pool;

    internal CpuBuffer(CpuBackend backend, CpuMemoryPool pool, float[] array, int length) : base(backend, length)
    {
        _pool = pool;
        Array = array;
    }

    /// <summary>The backing array; it may be longer than <see cref="DeviceBuffer.Length"/>.</summary>
    public float[] Array { get; }

    public Span<float> Span => Array.AsSpan(0, Length);

    protected override void Free() => _pool.Return(Array);
}
