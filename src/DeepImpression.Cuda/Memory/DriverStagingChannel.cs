using DeepImpression.Cuda.Interop;
using DeepImpression.Cuda.Runtime;

namespace DeepImpression.Cuda.Memory;

/// <summary>The staging ring's copies and fences through the CUDA driver: cuMemAllocHost_v2, cuMemcpy*Async_v2 and
/// one event per chunk, in the backend's context.</summary>
internal sealed unsafe class DriverStagingChannel(CudaContext context, int chunks) : IStagingChannel
{
    private readonly CudaEvent?[] _fences = new CudaEvent?[chunks];

    public void MakeCurrent() => context.MakeCurrent();

    public nint AllocatePinned(int bytes)
    {
        CudaDriver.Check(CudaDriver.cuMemAllocHost(out var pointer, (nuint)bytes), "cuMemAllocHost_v2");
        return pointer;
    }

    public void FreePinned(nint pointer) => CudaDriver.cuMemFreeHost(pointer);

    public void CopyToDevice(ulong destination, nint source, int bytes, nint stream) =>
        CudaDriver.Check(CudaDriver.cuMemcpyHtoDAsync(destination, (void*)source, (nuint)bytes, stream), "cuMemcpyHtoDAsync_v2");

    public void CopyToHost(nint destination, ulong source, int bytes, nint stream) =>
        CudaDriver.Check(CudaDriver.cuMemcpyDtoHAsync((void*)destination, source, (nuint)bytes, stream), "cuMemcpyDtoHAsync_v2");

    public void RecordFence(int chunk, nint stream) =>
        CudaDriver.Check(CudaDriver.cuEventRecord((_fences[chunk] ??= new CudaEvent(context)).Handle, stream), "cuEventRecord");

    public void WaitFence(int chunk) => _fences[chunk]?.Synchronize();

    public void Dispose()
    {
        for (int i = 0; i < _fences.Length; i++)
        {
            _fences[i]?.Dispose();
            _fences[i] = null;
        }
    }
}
