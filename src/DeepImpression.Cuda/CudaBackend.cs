using DeepImpression.Core;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Dnn;
using DeepImpression.Cuda.Interop;
using DeepImpression.Cuda.Kernels;
using DeepImpression.Cuda.Memory;
using DeepImpression.Cuda.Runtime;

namespace DeepImpression.Cuda;

/// <summary>
/// The NVIDIA GPU backend: every primitive of <see cref="IBackend"/> on one device, through cuDNN, cuBLAS and our
/// own NVRTC-compiled kernels (kernels/*.cu). All work is queued on one compute stream in call order, so calls
/// return before the GPU finishes; copies to the host and <see cref="Synchronize"/> wait. Uploads into fresh
/// tensors run on a second, copy stream, overlapping the compute. Primitives are meant to be
/// called from one thread at a time (the training loop); memory and host copies may also come from others.
/// Each family of primitives has its own file (CudaBackend.*.cs).
/// </summary>
public sealed partial class CudaBackend : IBackend
{
    private readonly CudaContext _context;
    private readonly CudaStream _stream;
    private readonly CudaStream _copyStream;
    private readonly CudaEvent _uploadDone;
    private readonly object _uploadGate = new();
    private readonly CachingAllocator _allocator;
    private readonly PinnedStaging _staging;
    private readonly CudaKernels _kernels;
    private readonly NativeHandle _cublas;
    private readonly NativeHandle _cudnn;
    private readonly CuDnnDescriptors _descriptors;
    private readonly ConvolutionWorkspace _workspace;
    private readonly ConvolutionPolicy _policy;
    private readonly ConvolutionPlan _plan;
    private bool _disposed;

    /// <summary>Opens GPU <paramref name="ordinal"/>. Throws <see cref="CudaLibraryNotFoundException"/> naming the
    /// missing library and where it was looked for, or <see cref="InvalidInputException"/> for a GPU that does not exist.</summary>
    public CudaBackend(int ordinal = 0, CudaBackendOptions? options = null)
    {
        Options = options ?? CudaBackendOptions.FromEnvironment();
        _policy = Options.ConvolutionPolicy;
        _plan = new ConvolutionPlan { Searched = Options.PrintConvolutionPlan ? e => Console.Error.WriteLine($"cuDNN plan: {e.Describe()}") : null };
        foreach (var library in CudaLibrary.All) CudaLibraries.Require(library);
        var devices = CudaDeviceInfo.Enumerate();
        if (ordinal < 0 || ordinal >= devices.Count)
            throw new InvalidInputException($"Device cuda:{ordinal} does not exist: the driver sees {devices.Count} GPU{(devices.Count == 1 ? "" : "s")}.");
        DeviceInfo = devices[ordinal];
        Device = Device.Cuda(ordinal);

        _context = new CudaContext(ordinal);
        _stream = new CudaStream(_context);
        _copyStream = new CudaStream(_context);
        _uploadDone = new CudaEvent(_context);
        _allocator = new CachingAllocator(new DriverMemorySource(_context, _stream));
        _staging = new PinnedStaging(new DriverStagingChannel(_context, PinnedStaging.ChunkCount));
        _workspace = new ConvolutionWorkspace(_allocator);
        _kernels = new CudaKernels(_context, DeviceInfo.Architecture, Options.KernelCacheDirectory);
        _kernels.LoadAll();

        CuBlas.Check(CuBlas.cublasCreate(out var blas), "cublasCreate_v2");
        _cublas = new NativeHandle(blas, CuBlas.cublasDestroy, _context.Handle);
        CuBlas.Check(CuBlas.cublasSetStream(blas, _stream.Handle), "cublasSetStream_v2");
        CuBlas.Check(CuBlas.cublasSetMathMode(blas, Options.AllowTf32 ? CuBlasMath.Tf32TensorOp : CuBlasMath.Default), "cublasSetMathMode");

        CuDnn.Check(CuDnn.cudnnCreate(out var dnn), "cudnnCreate");
        _cudnn = new NativeHandle(dnn, CuDnn.cudnnDestroy, _context.Handle);
        CuDnn.Check(CuDnn.cudnnSetStream(dnn, _stream.Handle), "cudnnSetStream");
        _descriptors = new CuDnnDescriptors();

        Description = $"{Device} ({DeviceInfo.Name}, compute capability {DeviceInfo.ComputeMajor}.{DeviceInfo.ComputeMinor}, " +
                      $"{DeviceInfo.TotalMemoryBytes / (1024.0 * 1024 * 1024):F0} GiB; cuDNN {CuDnn.Version()}, cuBLAS {CuBlas.Version()}, " +
                      $"NVRTC {_kernels.NvrtcVersion.Major}.{_kernels.NvrtcVersion.Minor}{(Options.AllowTf32 ? ", TF32" : "")}" +
                      $"{(Options.Deterministic ? ", deterministic" : "")})";
    }

    /// <summary>Makes <see cref="Device"/>.Cuda(N) tensors work: registers this backend's factory with Core.</summary>
    public static void Register(CudaBackendOptions? options = null) =>
        BackendRegistry.RegisterFactory(DeviceKind.Cuda, ordinal => new CudaBackend(ordinal, options));

    /// <summary>The settings this backend was built with.</summary>
    public CudaBackendOptions Options { get; }
    /// <summary>The GPU this backend runs on: name, compute capability, memory.</summary>
    public CudaDeviceInfo DeviceInfo { get; }
    /// <inheritdoc />
    public Device Device { get; }
    /// <inheritdoc />
    public string Description { get; }

    /// <summary>Device bytes held (tensors plus the allocator's cache plus workspace) and their peak.</summary>
    public (long Current, long Peak) MemoryInUse => (_allocator.ReservedBytes, _allocator.PeakReservedBytes);

    /// <summary>Device bytes held by live tensors and workspace, and their peak (what a model really needs).</summary>
    public (long Current, long Peak) MemoryInUseByTensors => (_allocator.InUseBytes, _allocator.PeakInUseBytes);

    /// <summary>Times the allocator went to the driver; flat once a training loop reaches its steady state.</summary>
    public long DriverAllocations => _allocator.SourceAllocations;

    /// <summary>cuDNN algorithm searches (Find calls) made so far: one per convolution shape and direction, whatever
    /// the batch size.</summary>
    public int ConvolutionSearches => _plan.Searches;

    /// <summary>Distinct convolution shapes (batch size included) that have an algorithm.</summary>
    public int ConvolutionShapes => _plan.Shapes;

    /// <summary>The convolution plan so far, one search per line: shape, choice, the rule that chose it, every
    /// candidate. The same text DEEPIMPRESSION_PRINT_CONV_PLAN=1 prints as it forms.</summary>
    public string DescribeConvolutionPlan() => _plan.Describe();

    /// <summary>Gives cached free device memory back to the driver (e.g. between training and test-time shapes).</summary>
    public void TrimCache() => _allocator.ReleaseCached();

    // ---- memory and copies -----------------------------------------------------------------------------------

    /// <inheritdoc />
    public DeviceBuffer Allocate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _context.MakeCurrent();
        return new CudaBuffer(this, _allocator, _allocator.Rent((long)count * sizeof(float)), count);
    }

    /// <summary>
    /// Queues the upload and returns once the data sits in pinned memory. A buffer that nothing on the compute
    /// stream can still touch (a fresh tensor, like a data batch) is filled on the copy stream, overlapping the
    /// kernels already queued; the compute stream then waits for the copy before any later work. Other buffers are
    /// filled on the compute stream, in order.
    /// </summary>
    public void CopyFromHost(ReadOnlySpan<float> source, DeviceBuffer destination, int destinationOffset)
    {
        if (source.IsEmpty) return;
        var buffer = Owned(destination);
        if (!buffer.MayUploadOnCopyStream)
        {
            _staging.Upload(source, Cuda(destination).At(destinationOffset), _stream.Handle);
            return;
        }
        lock (_uploadGate)
        {
            _staging.Upload(source, buffer.At(destinationOffset), _copyStream.Handle);
            _uploadDone.Record(_copyStream);
            _stream.Wait(_uploadDone);
        }
    }

    /// <inheritdoc />
    public void CopyToHost(DeviceBuffer source, int sourceOffset, Span<float> destination)
    {
        if (destination.IsEmpty) return;
        long releases = _allocator.ReleaseCount;
        _staging.Download(Cuda(source).At(sourceOffset), destination, _stream.Handle);
        // The download waited for everything queued before it, so blocks released until then are idle.
        _allocator.MarkCompleted(releases);
    }

    /// <inheritdoc />
    public void Copy(DeviceBuffer source, int sourceOffset, DeviceBuffer destination, int destinationOffset, int count)
    {
        if (count == 0) return;
        _context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuMemcpyDtoDAsync(Cuda(destination).At(destinationOffset), Cuda(source).At(sourceOffset),
            (nuint)((long)count * sizeof(float)), _stream.Handle), "cuMemcpyDtoDAsync_v2");
    }

    /// <inheritdoc />
    public void Fill(Tensor y, float value)
    {
        if (y.Count == 0) return;
        _context.MakeCurrent();
        // A 32-bit memset writes any float's bit pattern, so no kernel is needed.
        CudaDriver.Check(CudaDriver.cuMemsetD32Async(Address(y), BitConverter.SingleToUInt32Bits(value), (nuint)y.Count, _stream.Handle),
            "cuMemsetD32Async");
    }

    /// <inheritdoc />
    public void Synchronize()
    {
        _context.MakeCurrent();
        long releases = _allocator.ReleaseCount;
        _stream.Synchronize();
        _allocator.MarkCompleted(releases);
    }

    /// <summary>Waits for queued work, then releases the cuDNN and cuBLAS handles, the cached memory, the kernels and the context. Tensors of this backend must not be used afterwards.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _context.MakeCurrent();
        _stream.Synchronize();
        _descriptors.Dispose();
        _cudnn.Dispose();
        _cublas.Dispose();
        _kernels.Dispose();
        _workspace.Dispose();
        _copyStream.Synchronize();
        _staging.Dispose();
        _allocator.Dispose();
        _uploadDone.Dispose();
        _copyStream.Dispose();
        _stream.Dispose();
        _context.Dispose();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /// <summary>The buffer, for use by work on the compute stream (which marks it as such).</summary>
    private CudaBuffer Cuda(DeviceBuffer buffer)
    {
        var b = Owned(buffer);
        b.UsedOnComputeStream = true;
        return b;
    }

    private CudaBuffer Owned(DeviceBuffer buffer) =>
        buffer as CudaBuffer is { } b && ReferenceEquals(b.Backend, this)
            ? b
            : throw new ArgumentException($"The {Device} backend was handed a buffer of {buffer.Backend.Device}.");

    /// <summary>The device address of a tensor's first element; makes the context current for the call that follows.</summary>
    private ulong Address(Tensor t)
    {
        var address = Cuda(t.Buffer).Address;
        _context.MakeCurrent();
        return address;
    }

    private void Launch(KernelSignature kernel, long elements, params ReadOnlySpan<KernelArgument> arguments) =>
        _kernels.Launch(kernel, LaunchConfiguration.ForElements(elements), _stream, arguments);

    private static KernelArgument P(ulong address) => KernelArgument.Pointer(address);
    private static KernelArgument I(int value) => KernelArgument.Int(value);
    private static KernelArgument F(float value) => KernelArgument.Float(value);
}
