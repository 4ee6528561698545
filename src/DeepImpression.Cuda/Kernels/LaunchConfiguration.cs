namespace DeepImpression.Cuda.Kernels;

/// <summary>Grid and block sizes for the grid-stride kernels: one thread per element up to a grid cap.</summary>
internal readonly record struct LaunchConfiguration(uint Blocks, uint ThreadsPerBlock)
{
    public const int DefaultThreads = 256;

    /// <summary>Enough blocks of <see cref="DefaultThreads"/> to give each of <paramref name="elements"/> a thread,
    /// capped at <paramref name="maxBlocks"/> (the kernels loop over the rest). Zero blocks for zero elements: the
    /// caller skips the launch, since an empty grid is an error for cuLaunchKernel.</summary>
    public static LaunchConfiguration ForElements(long elements, int maxBlocks = 65535)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elements);
        long blocks = (elements + DefaultThreads - 1) / DefaultThreads;
        return new LaunchConfiguration((uint)Math.Min(blocks, maxBlocks), DefaultThreads);
    }
}
