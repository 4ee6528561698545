using System.Runtime.CompilerServices;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>
/// Stride-1 convolution with no lowering and no packing of the input. The batch is copied once into zero-padded
/// planes (H + 2ph) x (W + 2pw). Outputs are computed on the padded width, position q = oh·Wp + ow, so that for
/// every patch row r = (c, i, j) the values a run of consecutive outputs needs are consecutive in the padded plane,
/// at q + offset(r) with offset(r) = c·Hp·Wp + i·Wp + j. The micro-kernel reads its B rows there directly
/// (<see cref="Avx512GemmKernel.RunIndirect"/>); the outputs with ow ≥ OW, (kw − 1) per row, are computed and dropped.
/// Used with AVX-512 where that waste is small (wide rows, or the auditory stream's 1-D rows).
/// </summary>
internal static unsafe class IndirectConvolution
{
    private const int Tile = 48;

    private static readonly PerWorkerScratch PaddedInput = new();
    private static readonly PerWorkerScratch RowOffsets = new();
    private static readonly PerWorkerScratch OutputTiles = new();

    /// <summary>Whether a convolution takes this path: stride 1, AVX-512, and at most 10 % of the outputs wasted.</summary>
    public static bool Applies(in ConvShape s) =>
        CpuIsa.Level == SimdLevel.Avx512 && Avx512GemmKernel.NR == Tile && s.StrideH == 1 && s.StrideW == 1 && !s.IsPointwise
        && (s.KW - 1) * 10 <= s.W + 2 * s.PadW;

    /// <summary>y (N, K, OH, OW) = filter · x (+ bias) with the filter already packed; runs on the calling participant <paramref name="worker"/>.</summary>
    public static void Forward(in ConvShape s, int n, PackedA filter, float* x, float* bias, float* y, int worker)
    {
        int hp = s.H + 2 * s.PadH, wp = s.W + 2 * s.PadW;
        long plane = (long)hp * wp, image = s.C * plane;
        float* padded = PaddedInput[worker].Get(n * image + 2 * Tile + s.KW + 64);
        CpuWorkers.For(n * s.C, new PadJob(s, x, padded, hp, wp));
        // Pad the tail too: the last tile of the last image reads up to Tile + kw floats past it.
        new Span<float>(padded + n * image, 2 * Tile + s.KW + 64).Clear();

        int* offsets = (int*)RowOffsets[worker].Get(s.Patch);
        int r = 0;
        for (int c = 0; c < s.C; c++)
            for (int i = 0; i < s.KH; i++)
                for (int j = 0; j < s.KW; j++) offsets[r++] = checked((int)(c * plane + i * wp + j));

        int span = (s.OH - 1) * wp + s.OW;
        int columns = Math.Clamp((128 * 1024 / filter.PaddedM) / Tile * Tile, 2 * Tile, 2048);
        int perImage = (span + columns - 1) / columns;
        CpuWorkers.For(n * perImage, new PieceJob(s, filter, padded, image, offsets, bias, y, wp, span, columns, perImage));
    }

    private sealed class PadJob(ConvShape s, float* x, float* padded, int hp, int wp) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int index, int worker)
        {
            float* src = x + (long)index * s.InputPlane;
            float* dst = padded + (long)index * hp * wp;
            new Span<float>(dst, s.PadH * wp).Clear();
            for (int h = 0; h < s.H; h++)
            {
                float* row = dst + (long)(h + s.PadH) * wp;
                new Span<float>(row, s.PadW).Clear();
                VectorMath.Copy(src + (long)h * s.W, row + s.PadW, s.W);
                new Span<float>(row + s.PadW + s.W, s.PadW).Clear();
            }
            new Span<float>(dst + (long)(s.H + s.PadH) * wp, s.PadH * wp).Clear();
        }
    }

    private sealed class PieceJob(ConvShape s, PackedA filter, float* padded, long image, int* offsets, float* bias, float* y,
        int wp, int span, int columns, int perImage) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int piece, int worker)
        {
            int n = piece / perImage;
            int q0 = piece % perImage * columns;
            int count = Math.Min(columns, span - q0);
            int width = (count + Tile - 1) / Tile * Tile;
            int rows = filter.PaddedM;
            float* tile = OutputTiles[worker].Get((long)rows * width);
            float* source = padded + n * image + q0;
            int k = filter.K, depth = Sgemm.DepthBlock(k);
            for (int pc = 0; pc < k; pc += depth)
            {
                int kc = Math.Min(depth, k - pc);
                var store = pc == 0 ? GemmStore.Overwrite : GemmStore.Accumulate;
                for (int jr = 0; jr < width; jr += Tile)
                    for (int ir = 0; ir < rows; ir += Avx512GemmKernel.MR)
                        Avx512GemmKernel.RunIndirect(kc, filter.Panel(pc, ir, kc), source + jr, offsets + pc, tile + (long)ir * width + jr, width, store);
            }
            // Keep the outputs that exist (ow < OW), adding the bias on the way.
            for (int q = q0; q < q0 + count;)
            {
                int oh = q / wp, ow = q - oh * wp;
                int next = Math.Min(q0 + count, (oh + 1) * wp);
                int valid = Math.Min(s.OW, ow + next - q) - ow;
                if (valid > 0)
                    for (int m = 0; m < filter.M; m++)
                    {
                        float* dst = y + (((long)n * filter.M + m) * s.OH + oh) * s.OW + ow;
                        VectorMath.ScaleShift(tile + (long)m * width + (q - q0), dst, valid, 1f, bias == null ? 0f : bias[m]);
                    }
                q = next;
            }
        }
    }
}
