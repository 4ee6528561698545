using System.Runtime.InteropServices;

namespace DeepImpression.Cuda.Interop;

/// <summary>
/// Owns one native object (stream, event, module, cuBLAS or cuDNN handle, cuDNN descriptor) and destroys it once,
/// on Dispose or, if forgotten, on finalization. Objects that belong to a CUDA context make that context current
/// first, because the finalizer thread has none.
/// </summary>
internal sealed class NativeHandle : SafeHandle
{
    private readonly Func<nint, int> _destroy;
    private readonly nint _context;

    public NativeHandle(nint value, Func<nint, int> destroy, nint context = 0) : base(0, ownsHandle: true)
    {
        _destroy = destroy;
        _context = context;
        SetHandle(value);
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>The raw value for a native call; the owner keeps this handle alive across the call.</summary>
    public nint Value => IsClosed ? throw new ObjectDisposedException(nameof(NativeHandle)) : handle;

    protected override bool ReleaseHandle()
    {
        if (_context != 0) CudaDriver.cuCtxSetCurrent(_context);
        // A failure here (e.g. the driver already shutting down at exit) has nobody left to report to.
        _destroy(handle);
        return true;
    }
}
