using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// <see cref="ForwardAlgorithm.WholeBatchPhaseGrid"/> and <see cref="ForwardAlgorithm.WholeBatchLowered"/>: a small
/// batch of small maps as one product over the whole batch that the GEMM splits over the cores in whole
/// micro-tiles, its B panels packed straight from the batch's phase grid (plain copies, no lowered matrix) or, when
/// the grid is too large to address, lowered from the input.
/// </summary>
internal static unsafe class WholeBatchForward
{

    /// <summary><paramref name="reserve"/>: where to build the phase grid and keep it for the filter gradient, or null.</summary>
    public static void Forward(CpuContext context, bool onGrid, in ConvShape s, int n, PackedA filter, float* x, ConvolutionEpilogue epilogue,
        float* y, int worker, float* reserve)
    {
        int total = n * s.OutputPlane;
        float* product = context.Scratch(ConvolutionScratch.Product, worker).Get((long)filter.PaddedM * total);
        if (onGrid)
        {
            var grid = PhaseGrid.OfBatch(context, s, n, x, worker, reserve, build: true, out float* cells, out int* offsets);
            context.Gemm.MultiplyPacked(filter, new PhaseGridSource(s, grid, cells, offsets), total, 0f, product, total);
        }
        else
        {
            context.Gemm.MultiplyPacked(filter, new Im2ColSource(context.Isa, s, x, 0), total, 0f, product, total);
        }
        for (int image = 0; image < n; image++)
            for (int k = 0; k < s.K; k++)
                epilogue.Store(context.Isa, product + (long)k * total + image * s.OutputPlane, y + ((long)image * s.K + k) * s.OutputPlane,
                    s.OutputPlane, k);
    }
}
