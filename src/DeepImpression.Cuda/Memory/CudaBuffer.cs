using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Cuda.Memory;

/// <summary>Device storage of a tensor: a block of the backend's <see cref="CachingAllocator"/>, returned to it when
/// the last reference goes.</summary>
internal sealed class CudaBuffer : DeviceBuffer
{
    private readonly CachingAllocator _allocator;
    private readonly DeviceBlock _block;

    internal CudaBuffer(IBackend backend, CachingAllocator allocator, DeviceBlock block, int length) : base(backend, length)
    {
        _allocator = allocator;
        _block = block;
        IdleWhenLent = allocator.IsIdle(block);
    }

    /// <summary>No work of the block's previous holder was pending when this buffer got it.</summary>
    internal bool IdleWhenLent { get; }

    /// <summary>Set once work on the compute stream has used this buffer; from then on only that stream writes it.</summary>
    internal bool UsedOnComputeStream { get; set; }

    /// <summary>Whether an upload may go through the copy stream, unordered with the compute stream.</summary>
    internal bool MayUploadOnCopyStream => IdleWhenLent && !UsedOnComputeStream;

    /// <summary>The device address (CUdeviceptr) of element 0.</summary>
    public ulong Address => _block.Address;

    /// <summary>The device address of element <paramref name="offset"/>.</summary>
    public ulong At(int offset) => _block.Address + (ulong)offset * sizeof(float);

    protected override void Free() => _allocator.Return(_block);
}
