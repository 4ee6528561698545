using DeepImpression.Cuda.Interop;
using DeepImpression.Cuda.Runtime;

namespace DeepImpression.Cuda.Memory;

/// <summary>Device memory from cuMemAlloc_v2 / cuMemFree_v2 in the backend's context.</summary>
internal sealed class DriverMemorySource(CudaContext context, CudaStream stream) : IDeviceMemorySource
{
    private const int ErrorOutOfMemory = 2;

    public bool TryAllocate(long bytes, out ulong address)
    {
        context.MakeCurrent();
        int result = CudaDriver.cuMemAlloc(out address, (nuint)bytes);
        if (result == ErrorOutOfMemory) return false;
        CudaDriver.Check(result, "cuMemAlloc_v2");
        return true;
    }

    public void Free(ulong address)
    {
        context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuMemFree(address), "cuMemFree_v2");
    }

    public void Synchronize() => stream.Synchronize();
}
