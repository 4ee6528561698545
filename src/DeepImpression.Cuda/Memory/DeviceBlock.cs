namespace DeepImpression.Cuda.Memory;

/// <summary>
/// A block lent by <see cref="CachingAllocator"/>: its address, its size class in bytes, and when its previous
/// holder released it (<see cref="CachingAllocator.NeverReleased"/> for memory fresh from the source).
/// </summary>
internal readonly record struct DeviceBlock(ulong Address, long Bytes, long ReleasedAt = CachingAllocator.NeverReleased);
