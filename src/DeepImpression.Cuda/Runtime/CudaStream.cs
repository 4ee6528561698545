using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Runtime;

/// <summary>A non-blocking CUDA stream: work on it runs in order and does not wait for the legacy default stream.</summary>
internal sealed class CudaStream : IDisposable
{
    private readonly NativeHandle _handle;

    public CudaStream(CudaContext context)
    {
        context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuStreamCreate(out var stream, CudaDriver.StreamNonBlocking), "cuStreamCreate");
        _handle = new NativeHandle(stream, CudaDriver.cuStreamDestroy, context.Handle);
    }

    public nint Handle => _handle.Value;

    public void Synchronize() => CudaDriver.Check(CudaDriver.cuStreamSynchronize(Handle), "cuStreamSynchronize");

    /// <summary>Later work on this stream waits until <paramref name="cudaEvent"/> has happened.</summary>
    public void Wait(CudaEvent cudaEvent) => CudaDriver.Check(CudaDriver.cuStreamWaitEvent(Handle, cudaEvent.Handle, 0), "cuStreamWaitEvent");

    public void Dispose() => _handle.Dispose();
}
