using DeepImpression.Core.Backends;

namespace DeepImpression.Core.Tensors;

/// <summary>
/// A block of float32 storage owned by a backend. Reference counted so that reshape views can share it;
/// the last release hands the memory back to the backend (usually to its caching pool).
/// </summary>
public abstract class DeviceBuffer
{
    private int _references = 1;

    /// <summary>Storage of <paramref name="length"/> floats owned by <paramref name="backend"/>, holding one reference.</summary>
    protected DeviceBuffer(IBackend backend, int length)
    {
        Backend = backend;
        Length = length;
    }

    /// <summary>The backend that allocated this storage and is the only one that may read or write it.</summary>
    public IBackend Backend { get; }

    /// <summary>Capacity in float32 elements.</summary>
    public int Length { get; }

    internal void AddReference()
    {
        if (Interlocked.Increment(ref _references) <= 1)
            throw new ObjectDisposedException(nameof(DeviceBuffer), "The buffer was already released.");
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0) Free();
    }

    /// <summary>Gives the memory back; called once, when the last reference is released.</summary>
    protected abstract void Free();
}
