using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends.Cpu;

/// <summary>
/// The host backend: every primitive of <see cref="IBackend"/>, multithreaded and vectorized. Memory and data
/// movement live here; each family of primitives has its own file (CpuBackend.*.cs).
/// </summary>
public sealed partial class CpuBackend : IBackend
{
    public static CpuBackend Instance { get; } = new();

    private readonly CpuMemoryPool _pool = new();

    private CpuBackend() { }

    public Device Device => Device.Cpu;

    public string Description => $"cpu ({CpuModel.Name}, {CpuWorkers.Count} threads, {CpuIsa.Describe()})";

    public (long Current, long Peak) MemoryInUse => _pool.Usage;

    public DeviceBuffer Allocate(int count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
        return new CpuBuffer(this, _pool, _pool.Rent(count), count);
    }

    /// <summary>Drops cached free arrays and the kernels' scratch (packing buffers, padded inputs).</summary>
    public void TrimCache()
    {
        _pool.Trim();
        PerWorkerScratch.ReleaseAll();
    }

    /// <summary>Bytes the kernels hold as reusable scratch (not counted in <see cref="MemoryInUse"/>).</summary>
    public long ScratchBytes => PerWorkerScratch.TotalCapacity * sizeof(float);

    public void CopyFromHost(ReadOnlySpan<float> source, DeviceBuffer destination, int destinationOffset) =>
        source.CopyTo(Cpu(destination).Array.AsSpan(destinationOffset, source.Length));

    public void CopyToHost(DeviceBuffer source, int sourceOffset, Span<float> destination) =>
        Cpu(source).Array.AsSpan(sourceOffset, destination.Length).CopyTo(destination);

    public void Copy(DeviceBuffer source, int sourceOffset, DeviceBuffer destination, int destinationOffset, int count) =>
        Cpu(source).Array.AsSpan(sourceOffset, count).CopyTo(Cpu(destination).Array.AsSpan(destinationOffset, count));

    public void Fill(Tensor y, float value) => Data(y).Fill(value);

    public void Synchronize() { }

    public void Dispose() { }

    private static CpuBuffer Cpu(DeviceBuffer b) =>
        b as CpuBuffer ?? throw new ArgumentException($"The CPU backend was handed a buffer of {b.Backend.Device}.");

    /// <summary>The tensor's elements as a span over its pinned host array.</summary>
    internal static Span<float> Data(Tensor t) => Cpu(t.Buffer).Array.AsSpan(0, t.Count);

    /// <summary>The tensor's first element; stable because the pool's arrays live on the pinned heap.</summary>
    internal static unsafe float* Ptr(Tensor t) =>
        (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Cpu(t.Buffer).Array));
}
