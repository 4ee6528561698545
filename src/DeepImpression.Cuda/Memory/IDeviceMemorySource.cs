namespace DeepImpression.Cuda.Memory;

/// <summary>Where a <see cref="CachingAllocator"/> gets raw memory: the driver on a GPU, a fake in tests.</summary>
internal interface IDeviceMemorySource
{
    /// <summary>Allocates <paramref name="bytes"/>; false when the device is out of memory (other failures throw).</summary>
    bool TryAllocate(long bytes, out ulong address);

    void Free(ulong address);

    /// <summary>Waits for queued work that may still use memory about to be freed.</summary>
    void Synchronize();
}
