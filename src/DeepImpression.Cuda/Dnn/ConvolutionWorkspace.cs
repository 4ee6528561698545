using DeepImpression.Cuda.Memory;

namespace DeepImpression.Cuda.Dnn;

/// <summary>
/// The one scratch buffer every cuDNN call shares. Work is ordered on one stream, so a single buffer suffices; it
/// grows to the largest request seen and stays, so the steady state allocates nothing.
/// </summary>
internal sealed class ConvolutionWorkspace(CachingAllocator allocator) : IDisposable
{
    private DeviceBlock? _block;

    public long Bytes => _block?.Bytes ?? 0;

    /// <summary>The address of a workspace of at least <paramref name="bytes"/> (0 when none is needed).</summary>
    public ulong Ensure(long bytes)
    {
        if (bytes <= 0) return _block?.Address ?? 0;
        if (_block is { } current && current.Bytes >= bytes) return current.Address;
        if (_block is { } old) allocator.Return(old);
        _block = null;
        var fresh = allocator.Rent(WorkspacePolicy.GrowTo(bytes));
        _block = fresh;
        return fresh.Address;
    }

    public void Dispose()
    {
        if (_block is { } block) allocator.Return(block);
        _block = null;
    }
}
