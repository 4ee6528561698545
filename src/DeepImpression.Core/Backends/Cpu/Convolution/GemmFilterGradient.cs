using System.Runtime.CompilerServices;
using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// <see cref="FilterGradientAlgorithm.GemmOverPhaseGrid"/> and <see cref="FilterGradientAlgorithm.GemmOverLoweredRows"/>:
/// dW = dy · loweredᵀ as one GEMM over all positions, for few positions and many filters (the deepest layers), where
/// dot products that short would spend as much on their horizontal sums as on the products. loweredᵀ is packed
/// straight from the batch's phase grid or, for a batch too large to address its grid, lowered first.
/// </summary>
internal static unsafe class GemmFilterGradient
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardFilter(CpuContext context, bool onGrid, in ConvShape s, int n, float* x, float* dy, float* dw, int worker, float* reserve)
    {
        int total = n * s.OutputPlane;
        float* rows = context.Scratch(ConvolutionScratch.Product, worker).Get((long)s.K * total + (onGrid ? 0 : (long)s.Patch * total));
        for (int k = 0; k < s.K; k++) DotFilterGradient.CopyPlaneRow(dy, s.K, s.OutputPlane, k, 0, total, rows + (long)k * total);
        var gradient = context.Gemm.Pack(StridedSource.ForA(context.Isa, MatrixView.RowMajor(rows, total), 1f), s.K, total,
            context.Scratch(ConvolutionScratch.PackedFilter, worker).Get(Sgemm.PackedSize(context.Isa, s.K, total)));
        if (onGrid)
        {
            var grid = PhaseGrid.OfBatch(context, s, n, x, worker, reserve, build: reserve == null, out float* cells, out int* offsets);
            context.Gemm.MultiplyPacked(gradient, new TransposedPhaseGridSource(context, s, grid, cells, offsets), s.Patch, 0f, dw, s.Patch);
            return;
        }
        float* lowered = rows + (long)s.K * total;
        context.Workers.For(s.Patch, new LowerRowsJob(context.Isa, s, x, total, lowered));
        context.Gemm.MultiplyPacked(gradient, StridedSource.ForB(context.Isa, MatrixView.Transposed(lowered, total)), s.Patch, 0f, dw, s.Patch);
    }

    /// <summary>Row r of the lowered matrix of the whole batch, one row per index.</summary>
    private sealed class LowerRowsJob(SimdLevel level, ConvShape s, float* x, int total, float* lowered) : IParallelBody
    {
        public void Execute(int r, int worker) => Im2Col.LowerBatchRow(level, s, x, r, 0, total, lowered + (long)r * total);
    }
}
