namespace DeepImpression.Cuda.Memory;

/// <summary>
/// What <see cref="PinnedStaging"/> needs from the driver: page-locked host memory, asynchronous copies queued on a
/// stream, and one fence per ring chunk. The driver in the backend (<see cref="DriverStagingChannel"/>), a fake in
/// tests, so the ring's bookkeeping and its 64-bit offsets are checked without a GPU.
/// </summary>
internal interface IStagingChannel : IDisposable
{
    /// <summary>Makes the device's context current on the calling thread.</summary>
    void MakeCurrent();

    nint AllocatePinned(int bytes);

    void FreePinned(nint pointer);

    /// <summary>Queues a copy of <paramref name="bytes"/> from pinned host memory to the device.</summary>
    void CopyToDevice(ulong destination, nint source, int bytes, nint stream);

    /// <summary>Queues a copy of <paramref name="bytes"/> from the device into pinned host memory.</summary>
    void CopyToHost(nint destination, ulong source, int bytes, nint stream);

    /// <summary>Marks the point in <paramref name="stream"/> after which chunk <paramref name="chunk"/> is free again.</summary>
    void RecordFence(int chunk, nint stream);

    /// <summary>Waits until the work before chunk <paramref name="chunk"/>'s last fence has finished.</summary>
    void WaitFence(int chunk);
}
