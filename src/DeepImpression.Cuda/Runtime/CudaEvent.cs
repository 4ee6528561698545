using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Runtime;

/// <summary>A CUDA event: a point in a stream to wait for or to time from.</summary>
internal sealed class CudaEvent : IDisposable
{
    private readonly NativeHandle _handle;

    public CudaEvent(CudaContext context, bool timing = false)
    {
        context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuEventCreate(out var e, timing ? CudaDriver.EventDefault : CudaDriver.EventDisableTiming), "cuEventCreate");
        _handle = new NativeHandle(e, CudaDriver.cuEventDestroy, context.Handle);
    }

    public nint Handle => _handle.Value;

    public void Record(CudaStream stream) => CudaDriver.Check(CudaDriver.cuEventRecord(Handle, stream.Handle), "cuEventRecord");

    public void Synchronize() => CudaDriver.Check(CudaDriver.cuEventSynchronize(Handle), "cuEventSynchronize");

    /// <summary>Milliseconds between two recorded timing events.</summary>
    public static float Elapsed(CudaEvent start, CudaEvent end)
    {
        CudaDriver.Check(CudaDriver.cuEventElapsedTime(out var ms, start.Handle, end.Handle), "cuEventElapsedTime_v2");
        return ms;
    }

    public void Dispose() => _handle.Dispose();
}
