using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// Scratch areas that several convolution algorithms use in turn, never two at once on one worker: sharing them
/// keeps the scratch held at the largest single demand instead of one area per algorithm.
/// </summary>
internal static class ConvolutionScratch
{
    /// <summary>A packed left operand: the filter, its transpose, the flipped filter, or a packed gradient.</summary>
    public static readonly PerWorkerScratch PackedFilter = new();

    /// <summary>A product computed whole before it is spread or scattered (pieces of images, a small batch, a lowered gradient).</summary>
    public static readonly PerWorkerScratch Product = new();

    /// <summary>A batch's <see cref="PhaseGrid"/> (when no reserve holds it) and its patch-row offsets.</summary>
    public static readonly PerWorkerScratch Grid = new();

    /// <inheritdoc cref="Grid"/>
    public static readonly PerWorkerScratch GridOffsets = new();
}
