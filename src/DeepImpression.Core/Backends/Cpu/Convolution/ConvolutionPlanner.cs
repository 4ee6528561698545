using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// Chooses a <see cref="ConvolutionPlan"/> for a convolution from its shapes, geometry, batch and the instruction
/// set: every rule that picks one algorithm over another lives here, with the measurement behind it, and nothing
/// else branches on shapes. The choice never depends on the number of cores, so that the numbers do not either.
/// </summary>
internal static class ConvolutionPlanner
{
    /// <summary>Output positions (over the whole batch) up to which a filter gradient with many filters is one GEMM
    /// rather than dot products along the positions (each dot tile ends in horizontal sums that short rows do not
    /// amortise).</summary>
    internal const int SmallFilterGradient = 2048;

    /// <summary>Channels (in and out) from which Winograd's filter gradient beats the direct algorithms.</summary>
    internal const int ManyChannelsForWinogradGradient = 128;

    /// <summary>Tiles over the batch from which Winograd's filter gradient beats the direct algorithms.</summary>
    internal const int ManyTilesForWinogradGradient = 512;

    /// <summary>Filters from which a small filter gradient pays as one GEMM (fewer leave its micro-tiles' rows empty).</summary>
    internal const int ManyFilters = 64;

    public static ConvolutionPlan Plan(in ConvShape s, int n, SimdLevel isa, ConvolutionOverride choice)
    {
        if (choice == ConvolutionOverride.Reference)
            return ConvolutionPlan.Of(s, n, ForwardAlgorithm.Reference, DataGradientAlgorithm.Reference, FilterGradientAlgorithm.Reference);
        return ConvolutionPlan.Of(s, n, Forward(s, n, isa, choice), DataGradient(s, n, isa, choice), FilterGradient(s, n, isa, choice));
    }

    /// <summary>Whether <paramref name="algorithm"/> can compute this convolution at all (the planner adds which is fastest).</summary>
    public static bool Accepts(ForwardAlgorithm algorithm, in ConvShape s, int n, SimdLevel isa) => algorithm switch
    {
        ForwardAlgorithm.Pointwise => s.IsPointwise,
        ForwardAlgorithm.WholeBatchPhaseGrid => PhaseGrid.Addressable(s, n),
        ForwardAlgorithm.Indirect => IndirectForward.Accepts(s, n, isa),
        ForwardAlgorithm.Winograd => WinogradConvolution.Accepts(s, isa),
        _ => true,
    };

    /// <inheritdoc cref="Accepts(ForwardAlgorithm, in ConvShape, int, SimdLevel)"/>
    public static bool Accepts(DataGradientAlgorithm algorithm, in ConvShape s, int n, SimdLevel isa) => algorithm switch
    {
        DataGradientAlgorithm.PointwiseTransposed => s.IsPointwise,
        DataGradientAlgorithm.TransposedIndirect => s.HasTransposed && Accepts(ForwardAlgorithm.Indirect, s.Transposed, n, isa),
        DataGradientAlgorithm.TransposedWholeBatchPhaseGrid => s.HasTransposed && Accepts(ForwardAlgorithm.WholeBatchPhaseGrid, s.Transposed, n, isa),
        DataGradientAlgorithm.TransposedLowered or DataGradientAlgorithm.TransposedWholeBatchLowered => s.HasTransposed,
        DataGradientAlgorithm.Winograd => s.HasTransposed && WinogradConvolution.Accepts(s.Transposed, isa),
        _ => true,
    };

    /// <inheritdoc cref="Accepts(ForwardAlgorithm, in ConvShape, int, SimdLevel)"/>
    public static bool Accepts(FilterGradientAlgorithm algorithm, in ConvShape s, int n, SimdLevel isa) => algorithm switch
    {
        FilterGradientAlgorithm.DotsOverPhaseGrid or FilterGradientAlgorithm.GemmOverPhaseGrid => PhaseGrid.Addressable(s, n),
        FilterGradientAlgorithm.Winograd => WinogradConvolution.Accepts(s, isa),
        _ => true,
    };

    private static ForwardAlgorithm Forward(in ConvShape s, int n, SimdLevel isa, ConvolutionOverride choice)
    {
        // Four times fewer multiplications (3.6 for 1x9) than any direct algorithm, for a float32 error of about 1e-6
        // of the output's norm (tested against a float64 convolution on every layer of the network).
        if (choice != ConvolutionOverride.Direct && WinogradConvolution.Accepts(s, isa) && WinogradConvolution.Pays(s))
            return ForwardAlgorithm.Winograd;
        if (IndirectForward.Accepts(s, n, isa) && IndirectForward.Pays(s, n)) return ForwardAlgorithm.Indirect;
        if (s.IsPointwise) return ForwardAlgorithm.Pointwise;
        // A small batch of small maps: pieces of a few images would leave micro-tiles half empty.
        if ((long)n * s.OutputPlane <= BatchedProduct.SmallProduct)
            return PhaseGrid.Addressable(s, n) ? ForwardAlgorithm.WholeBatchPhaseGrid : ForwardAlgorithm.WholeBatchLowered;
        return ForwardAlgorithm.Lowered;
    }

    private static DataGradientAlgorithm DataGradient(in ConvShape s, int n, SimdLevel isa, ConvolutionOverride choice)
    {
        if (s.IsPointwise) return DataGradientAlgorithm.PointwiseTransposed;
        // A stride-1 input gradient runs on the forward path, lowering included, instead of scattering a lowered
        // gradient back (col2im).
        if (!s.HasTransposed) return DataGradientAlgorithm.LoweredScatter;
        return Forward(s.Transposed, n, isa, choice) switch
        {
            ForwardAlgorithm.Indirect => DataGradientAlgorithm.TransposedIndirect,
            ForwardAlgorithm.WholeBatchPhaseGrid => DataGradientAlgorithm.TransposedWholeBatchPhaseGrid,
            ForwardAlgorithm.WholeBatchLowered => DataGradientAlgorithm.TransposedWholeBatchLowered,
            ForwardAlgorithm.Lowered => DataGradientAlgorithm.TransposedLowered,
            ForwardAlgorithm.Winograd => DataGradientAlgorithm.Winograd,
            var other => throw new InvalidOperationException($"No data-gradient algorithm runs the transposed convolution with {other}."),
        };
    }

    private static FilterGradientAlgorithm FilterGradient(in ConvShape s, int n, SimdLevel isa, ConvolutionOverride choice)
    {
        // Winograd's filter gradient transforms the input and the output gradient of every tile, and its sums run as dot
        // products over the tiles: it pays only with many channels to share the transforms and many tiles to make the
        // dot products long (measured on the network: 1.2 to 1.7 times the direct algorithms' rate from 128 channels
        // and 512 tiles; no gain at 64 channels, a loss at 32, and a loss on res5's 32 tiles at batch 8).
        if (choice != ConvolutionOverride.Direct && WinogradConvolution.Accepts(s, isa) && Math.Min(s.C, s.K) >= ManyChannelsForWinogradGradient
            && WinogradConvolution.Tiles(s, n) >= ManyTilesForWinogradGradient)
            return FilterGradientAlgorithm.Winograd;
        if (s.K >= ManyFilters && (long)n * s.OutputPlane <= SmallFilterGradient)
            return PhaseGrid.Addressable(s, n) ? FilterGradientAlgorithm.GemmOverPhaseGrid : FilterGradientAlgorithm.GemmOverLoweredRows;
        // Copying a row out of the phase grid is cheaper than lowering it, where the grid wastes little.
        if (s.KH * s.KW > 1 && PhaseGrid.Worthwhile(s, n)) return FilterGradientAlgorithm.DotsOverPhaseGrid;
        return FilterGradientAlgorithm.DotsOverLoweredRows;
    }
}
