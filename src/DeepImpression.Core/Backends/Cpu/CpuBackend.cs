using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DeepImpression.Core.Backends.Cpu.Convolution;
using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends.Cpu;

/// <summary>
/// The host backend: every primitive of <see cref="IBackend"/>, multithreaded and vectorized. Memory and data
/// movement live here; each family of primitives has its own file (CpuBackend.*.cs). A backend is built from
/// <see cref="CpuBackendOptions"/> and owns its pool of threads; its kernels read nothing mutable and global.
/// </summary>
public sealed partial class CpuBackend : IBackend
{
    private static readonly Lazy<CpuBackend> Process = new(() =>
        new CpuBackend(CpuBackendOptions.FromEnvironment() with { Threads = CpuThreads.Start() }));

    /// <summary>The process's backend for <see cref="Device.Cpu"/>: options from the environment, threads from
    /// <see cref="CpuThreads"/>.</summary>
    public static CpuBackend Instance => Process.Value;

    private readonly CpuMemoryPool _pool = new();
    private readonly CpuContext _context;

    /// <param name="options">How it computes.</param>
    /// <param name="device">The device its tensors report: <see cref="Device.Cpu"/> unless registered as another
    /// (<see cref="BackendRegistry.AddCpu"/>).</param>
    public CpuBackend(CpuBackendOptions options, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Device = device ?? Device.Cpu;
        if (options.Threads < 0) throw new ArgumentOutOfRangeException(nameof(options), "Threads must be 0 (one per core) or more.");
        Options = options;
        int threads = options.Threads > 0 ? options.Threads : Math.Max(1, Environment.ProcessorCount);
        _context = new CpuContext(CpuIsa.Usable(options.Isa), new CpuWorkers(threads, options.Schedule, options.HelperCountedOut));
        // The kernel families are objects built from the context. Each property has its type's name, so the calls
        // in CpuBackend.*.cs read like calls on a static class.
        Sgemm = _context.Gemm;
        ElementwiseKernels = new ElementwiseKernels(_context);
        ChannelKernels = new ChannelKernels(_context);
        PoolingKernels = new PoolingKernels(_context);
        OptimizerKernels = new OptimizerKernels(_context);
        ReductionKernels = new ReductionKernels(_context);
        Convolutions = new CpuConvolution(_context, options.Convolution);
    }

    /// <summary>The options this backend was built from.</summary>
    public CpuBackendOptions Options { get; }

    /// <summary>The instruction set the kernels use.</summary>
    public SimdLevel Isa => _context.Isa;

    /// <summary>Participants in each parallel region.</summary>
    public int Threads => _context.Workers.Count;

    private Sgemm Sgemm { get; }
    private ElementwiseKernels ElementwiseKernels { get; }
    private ChannelKernels ChannelKernels { get; }
    private PoolingKernels PoolingKernels { get; }
    private OptimizerKernels OptimizerKernels { get; }
    private ReductionKernels ReductionKernels { get; }
    private CpuConvolution Convolutions { get; }

    internal CpuContext Context => _context;

    /// <inheritdoc />
    public Device Device { get; }

    /// <inheritdoc />
    public string Description => $"cpu ({CpuModel.Name}, {Threads} threads, {CpuIsa.Describe(Isa)}" +
                                 (Options.Convolution == ConvolutionOverride.None ? "" : $", convolutions: {Options.Convolution.ToString().ToLowerInvariant()}") + ")";

    /// <inheritdoc />
    public (long Current, long Peak) MemoryInUse => _pool.Usage;

    /// <inheritdoc />
    public DeviceBuffer Allocate(int count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
        return new CpuBuffer(this, _pool, _pool.Rent(count), count);
    }

    /// <summary>Drops cached free arrays and the kernels' scratch (packing buffers, padded inputs).</summary>
    public void TrimCache()
    {
        _pool.Trim();
        _context.Workers.ReleaseScratch();
    }

    /// <summary>Bytes the kernels hold as reusable scratch (not counted in <see cref="MemoryInUse"/>).</summary>
    public long ScratchBytes => _context.Workers.ScratchCapacity * sizeof(float);

    /// <inheritdoc />
    public void CopyFromHost(ReadOnlySpan<float> source, DeviceBuffer destination, int destinationOffset) =>
        source.CopyTo(Cpu(destination).Array.AsSpan(destinationOffset, source.Length));

    /// <inheritdoc />
    public void CopyToHost(DeviceBuffer source, int sourceOffset, Span<float> destination) =>
        Cpu(source).Array.AsSpan(sourceOffset, destination.Length).CopyTo(destination);

    /// <inheritdoc />
    public void Copy(DeviceBuffer source, int sourceOffset, DeviceBuffer destination, int destinationOffset, int count) =>
        Cpu(source).Array.AsSpan(sourceOffset, count).CopyTo(Cpu(destination).Array.AsSpan(destinationOffset, count));

    /// <inheritdoc />
    public void Fill(Tensor y, float value) => Data(y).Fill(value);

    /// <inheritdoc />
    public void Synchronize() { }

    /// <summary>Ends this backend's helper threads; the process's own backend lives as long as the process.</summary>
    public void Dispose()
    {
        if (!ReferenceEquals(this, Process.IsValueCreated ? Process.Value : null)) _context.Workers.Dispose();
    }

    private static CpuBuffer Cpu(DeviceBuffer b) =>
        b as CpuBuffer ?? throw new ArgumentException($"The CPU backend was handed a buffer of {b.Backend.Device}.");

    /// <summary>The tensor's elements as a span over its pinned host array.</summary>
    internal static Span<float> Data(Tensor t) => Cpu(t.Buffer).Array.AsSpan(0, t.Count);

    /// <summary>The tensor's first element; stable because the pool's arrays live on the pinned heap.</summary>
    internal static unsafe float* Ptr(Tensor t) =>
        (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Cpu(t.Buffer).Array));
}
