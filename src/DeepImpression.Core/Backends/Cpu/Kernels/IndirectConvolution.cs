using System.Runtime.CompilerServices;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>
/// Stride-1 convolution with no lowering and no packing of the input. The batch is copied once into zero-padded
/// planes (H + 2ph) x (W + 2pw), channel-major (all images' planes of channel 0, then channel 1, ...). Outputs are
/// computed on the padded grid of the whole batch, position q = n·Hp·Wp + oh·Wp + ow, so that for every patch row
/// r = (c, i, j) the values a run of consecutive outputs needs are consecutive in memory, at q + offset(r) with
/// offset(r) = c·N·Hp·Wp + i·Wp + j. The micro-kernel reads its B rows there directly
/// (<see cref="Avx512GemmKernel.RunIndirect"/>); grid positions that are no output (ow ≥ OW or oh ≥ OH) are
/// computed and dropped. Used with AVX-512 where that waste is small (wide rows, the auditory stream's 1-D rows).
/// </summary>
internal static unsafe class IndirectConvolution
{
    private const int Tile = 48;

    private static readonly PerWorkerScratch PaddedInput = new();
    private static readonly PerWorkerScratch RowOffsets = new();
    private static readonly PerWorkerScratch OutputTiles = new();

    /// <summary>Whether a convolution takes this path: stride 1, AVX-512, and at most 15 % of the outputs wasted
    /// (lowering costs more than that on the network's layers; an 8-wide visual map would waste 20 %).</summary>
    public static bool Applies(in ConvShape s) =>
        CpuIsa.Level == SimdLevel.Avx512 && Avx512GemmKernel.NR == Tile && s.StrideH == 1 && s.StrideW == 1 && !s.IsPointwise
        && (s.KW - 1) * 100 <= 15 * (s.W + 2 * s.PadW);

    /// <summary>y (N, K, OH, OW) = filter · x (+ bias) with the filter already packed; runs on the calling participant <paramref name="worker"/>.</summary>
    public static void Forward(in ConvShape s, int n, PackedA filter, float* x, float* bias, float* y, int worker)
    {
        int hp = s.H + 2 * s.PadH, wp = s.W + 2 * s.PadW;
        int plane = checked(hp * wp);
        long batch = (long)n * s.C * plane;
        float* padded = PaddedInput[worker].Get(batch + 2 * Tile + s.KW + 64);
        CpuWorkers.For(n * s.C, new PadJob(s, n, x, padded, hp, wp));
        // Pad the tail too: the last tile reads up to Tile + kw floats past the last plane.
        new Span<float>(padded + batch, 2 * Tile + s.KW + 64).Clear();

        int* offsets = (int*)RowOffsets[worker].Get(s.Patch);
        int r = 0;
        for (int c = 0; c < s.C; c++)
            for (int i = 0; i < s.KH; i++)
                for (int j = 0; j < s.KW; j++) offsets[r++] = checked((int)((long)c * n * plane + i * wp + j));

        // The grid positions of one image that hold outputs end at span; a piece is a range of one image's
        // positions or, for small images, a group of whole images.
        int span = (s.OH - 1) * wp + s.OW;
        int columns = Math.Clamp((128 * 1024 / filter.PaddedM) / Tile * Tile, 2 * Tile, 2048);
        var job = span >= columns / 2
            ? new PieceJob(s, filter, padded, offsets, bias, y, wp, plane, span, columns, (span + columns - 1) / columns, 0) { TotalImages = n }
            : new PieceJob(s, filter, padded, offsets, bias, y, wp, plane, span, columns, 0, Math.Max(1, columns / plane)) { TotalImages = n };
        CpuWorkers.For(job.Pieces(n), job);
    }

    private sealed class PadJob(ConvShape s, int n, float* x, float* padded, int hp, int wp) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int index, int worker)
        {
            // Input plane (image, channel) = index goes to the channel-major position (channel, image).
            int image = index / s.C, channel = index - image * s.C;
            float* src = x + (long)index * s.InputPlane;
            float* dst = padded + ((long)channel * n + image) * hp * wp;
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

    /// <param name="perImage">Pieces per image when an image is cut into ranges of <paramref name="columns"/>; 0 in group mode.</param>
    /// <param name="imagesPerPiece">Whole images per piece in group mode; 0 otherwise.</param>
    private sealed class PieceJob(ConvShape s, PackedA filter, float* padded, int* offsets, float* bias, float* y,
        int wp, int plane, int span, int columns, int perImage, int imagesPerPiece) : IParallelBody
    {
        public int Pieces(int n) => perImage > 0 ? n * perImage : (n + imagesPerPiece - 1) / imagesPerPiece;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int piece, int worker)
        {
            int start, count;
            if (perImage > 0)
            {
                int image = piece / perImage, q0 = piece % perImage * columns;
                start = image * plane + q0;
                count = Math.Min(columns, span - q0);
            }
            else
            {
                int first = piece * imagesPerPiece;
                int images = Math.Min(imagesPerPiece, TotalImages - first);
                start = first * plane;
                count = (images - 1) * plane + span;
            }
            int width = (count + Tile - 1) / Tile * Tile;
            int rows = filter.PaddedM;
            float* tile = OutputTiles[worker].Get((long)rows * width);
            float* source = padded + start;
            int k = filter.K, depth = Sgemm.DepthBlock(k);
            for (int pc = 0; pc < k; pc += depth)
            {
                int kc = Math.Min(depth, k - pc);
                var store = pc == 0 ? GemmStore.Overwrite : GemmStore.Accumulate;
                for (int jr = 0; jr < width; jr += Tile)
                    for (int ir = 0; ir < rows; ir += Avx512GemmKernel.MR)
                        Avx512GemmKernel.RunIndirect(kc, filter.Panel(pc, ir, kc), source + jr, offsets + pc, tile + (long)ir * width + jr, width, store);
            }
            // Keep the grid positions that are outputs (oh < OH, ow < OW), adding the bias on the way.
            for (int q = start; q < start + count;)
            {
                int image = q / plane, local = q - image * plane;
                int oh = local / wp, ow = local - oh * wp;
                int next = Math.Min(start + count, image * plane + (oh + 1) * wp);
                int valid = oh < s.OH ? Math.Min(s.OW, ow + next - q) - ow : 0;
                if (valid > 0)
                    for (int m = 0; m < filter.M; m++)
                    {
                        float* dst = y + (((long)image * filter.M + m) * s.OH + oh) * s.OW + ow;
                        VectorMath.ScaleShift(tile + (long)m * width + (q - start), dst, valid, 1f, bias == null ? 0f : bias[m]);
                    }
                q = next;
            }
        }

        public int TotalImages { get; init; }
    }
}
