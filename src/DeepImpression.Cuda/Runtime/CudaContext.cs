using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Runtime;

/// <summary>
/// The device's primary context (the one the runtime API, cuBLAS and cuDNN share), retained for the backend's life.
/// A context is current per thread, so every entry point calls <see cref="MakeCurrent"/>; it is a no-op when this
/// thread already has it.
/// </summary>
internal sealed class CudaContext : IDisposable
{
    [ThreadStatic] private static nint _currentOnThread;
    private readonly int _device;
    private bool _disposed;

    public CudaContext(int ordinal)
    {
        CudaDriverSession.EnsureInitialized();
        CudaDriver.Check(CudaDriver.cuDeviceGet(out _device, ordinal), "cuDeviceGet");
        CudaDriver.Check(CudaDriver.cuDevicePrimaryCtxRetain(out var context, _device), "cuDevicePrimaryCtxRetain");
        Handle = context;
        MakeCurrent();
    }

    public nint Handle { get; }

    public void MakeCurrent()
    {
        if (_currentOnThread == Handle) return;
        CudaDriver.Check(CudaDriver.cuCtxSetCurrent(Handle), "cuCtxSetCurrent");
        _currentOnThread = Handle;
    }

    /// <summary>(free, total) bytes of device memory as the driver sees them now.</summary>
    public (long Free, long Total) MemoryInfo()
    {
        MakeCurrent();
        CudaDriver.Check(CudaDriver.cuMemGetInfo(out var free, out var total), "cuMemGetInfo_v2");
        return ((long)free, (long)total);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_currentOnThread == Handle)
        {
            CudaDriver.cuCtxSetCurrent(0);
            _currentOnThread = 0;
        }
        CudaDriver.Check(CudaDriver.cuDevicePrimaryCtxRelease(_device), "cuDevicePrimaryCtxRelease_v2");
    }
}
