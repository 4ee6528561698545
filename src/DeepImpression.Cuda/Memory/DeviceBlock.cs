namespace DeepImpression.Cuda.Memory;

/// <summary>A block lent by <see cref="CachingAllocator"/>: its address and its size class in bytes.</summary>
public readonly record struct DeviceBlock(ulong Address, long Bytes);
