using System.Runtime.CompilerServices;
using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// <see cref="ForwardAlgorithm.Indirect"/>: convolution forward with B read in place from a <see cref="PhaseGrid"/> by
/// the micro-kernel (<see cref="Avx512GemmKernel.RunIndirect"/>): no lowering and no packing of the input. Used with
/// AVX-512 where the grid wastes little (wide rows, the auditory stream's 1-D rows, and strides 2 and 4 thanks to the
/// phases).
/// </summary>
internal static unsafe class IndirectForward
{
    private const int Tile = 48;

    /// <summary>Output positions over the batch above which a convolution takes this path (see <see cref="Accepts"/>).</summary>
    internal const int SmallestProduct = 1024;

    private static readonly PerWorkerScratch OutputTiles = new();

    /// <summary>Whether this algorithm can run the convolution: AVX-512, and a grid addressable with 32-bit offsets.</summary>
    public static bool Accepts(in ConvShape s, int images, SimdLevel level) =>
        level == SimdLevel.Avx512 && Avx512GemmKernel.NR == Tile && PhaseGrid.Addressable(s, images);

    /// <summary>
    /// Whether it is the fastest way: at most 15 % of the grid wasted along a row (lowering costs
    /// more than that on the network's layers; an 8-wide visual map would waste 20 %), and few enough planes per
    /// depth block. Each (phase, channel) plane a block reads is its own memory page: past some 32 of them the
    /// micro-kernel's loads miss the first-level TLB, and packed panels win (measured: a 3x3 stride-2 convolution
    /// of 32 channels reads 64 planes per block and runs slower in place than lowered). Small products go to the
    /// GEMM whole: below about a thousand positions (an 8x8 map at batch 8) a piece per core leaves micro-tiles half
    /// empty, while 15x15 at batch 8 already runs faster here than as one lowered product (measured).
    /// </summary>
    public static bool Pays(in ConvShape s, int images) =>
        !s.IsPointwise && PhaseGrid.Worthwhile(s, images) && PlanesPerBlock(s) <= 32 && (long)images * s.OutputPlane > SmallestProduct;

    private static int PlanesPerBlock(in ConvShape s)
    {
        int taps = s.KH * s.KW;
        int channels = Math.Min(s.C, (Sgemm.DepthBlock(s.Patch) + taps - 1) / taps + 1);
        int phases = Math.Min(s.StrideH, s.KH) * Math.Min(s.StrideW, s.KW);
        return channels * phases;
    }

    /// <summary>y (N, K, OH, OW) = epilogue(filter · x) with the filter already packed; runs on the calling participant
    /// <paramref name="worker"/>. With a reserve, the grid is built there and kept for the filter gradient.</summary>
    public static void Forward(CpuContext context, in ConvShape s, int n, PackedA filter, float* x, ConvolutionEpilogue epilogue,
        float* y, int worker, float* reserve)
    {
        var grid = PhaseGrid.OfBatch(context, s, n, x, worker, reserve, build: true, out float* cells, out int* offsets);

        // An output tile of about 512 KiB per piece.
        var pieces = grid.Pieces(s, Math.Clamp((128 * 1024 / filter.PaddedM) / Tile * Tile, 2 * Tile, 2048), context.Workers.Count);
        context.Workers.For(pieces.Count, new PieceJob(context, s, filter, cells, offsets, epilogue, y, grid, pieces));
    }

    private sealed class PieceJob(CpuContext context, ConvShape s, PackedA filter, float* cells, int* offsets, ConvolutionEpilogue epilogue,
        float* y, PhaseGrid grid, GridPieces pieces) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int piece, int worker)
        {
            var (start, count) = pieces[piece];
            int plane = grid.Plane, rowWidth = grid.Wq;
            int width = (count + Tile - 1) / Tile * Tile;
            int rows = filter.PaddedM;
            float* tile = context.Scratch(OutputTiles, worker).Get((long)rows * width);
            float* source = cells + start;
            int k = filter.K, depth = Sgemm.DepthBlock(k);
            for (int pc = 0; pc < k; pc += depth)
            {
                int kc = Math.Min(depth, k - pc);
                var store = pc == 0 ? GemmStore.Overwrite : GemmStore.Accumulate;
                for (int jr = 0; jr < width; jr += Tile)
                    for (int ir = 0; ir < rows; ir += Avx512GemmKernel.MR)
                        Avx512GemmKernel.RunIndirect(kc, filter.Panel(pc, ir, kc), source + jr, offsets + pc, tile + (long)ir * width + jr, width, store);
            }
            // Keep the grid positions that are outputs (oh < OH, ow < OW), finishing them on the way.
            for (int q = start; q < start + count;)
            {
                int image = q / plane, local = q - image * plane;
                int oh = local / rowWidth, ow = local - oh * rowWidth;
                int next = Math.Min(start + count, image * plane + (oh + 1) * rowWidth);
                int valid = oh < s.OH ? Math.Min(s.OW, ow + next - q) - ow : 0;
                if (valid > 0)
                    for (int m = 0; m < filter.M; m++)
                    {
                        float* dst = y + (((long)image * filter.M + m) * s.OH + oh) * s.OW + ow;
                        epilogue.Store(context.Isa, tile + (long)m * width + (q - start), dst, valid, m);
                    }
                q = next;
            }
        }
    }
}
