using System.Runtime.CompilerServices;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>
/// The input of a convolution rearranged so that lowering is never needed: zero-padded, split into the stride
/// phases its kernel reads, channel-major. Phase (a, b) of channel c of image n is the plane X[u, v] = xpad[c, s_h·u + a, s_w·v + b]
/// of Hq x Wq = ceil(Hp / s_h) x ceil(Wp / s_w) cells, xpad being x padded by (ph, pw). An output (oh, ow) of
/// image n sits at grid position q = n·Hq·Wq + oh·Wq + ow, and patch row r = (c, i, j) reads, for every output,
/// the cell at q + offset(r) with offset(r) = plane index of (phase (i mod s_h, j mod s_w), channel c, image 0)
/// + (i div s_h)·Wq + (j div s_w). So the B rows a run of consecutive outputs needs are consecutive in memory.
/// Grid positions with oh ≥ OH or ow ≥ OW hold no output; they are computed and dropped, or carry zero gradient.
/// </summary>
internal readonly unsafe struct PhaseGrid
{
    public readonly int Hq, Wq, Plane, Images, Phases;

    /// <summary>Phases along a row that the kernel reads: min(s_w, kw) (a 1x1 stride-2 kernel reads only phase (0, 0),
    /// so the others are neither built nor stored).</summary>
    private readonly int _phasesW;

    public PhaseGrid(in ConvShape s, int images)
    {
        Hq = (s.H + 2 * s.PadH + s.StrideH - 1) / s.StrideH;
        Wq = (s.W + 2 * s.PadW + s.StrideW - 1) / s.StrideW;
        Plane = checked(Hq * Wq);
        Images = images;
        _phasesW = Math.Min(s.StrideW, s.KW);
        Phases = Math.Min(s.StrideH, s.KH) * _phasesW;
    }

    /// <summary>Floats of the rearranged batch, with room for whole-tile reads past its end.</summary>
    public long Size(in ConvShape s) => (long)Phases * s.C * Images * Plane + Slack(s);

    private static long Slack(in ConvShape s) => 2 * 48 + s.KW + 64;

    /// <summary>Grid positions of one image up to and including its last output.</summary>
    public int Span(in ConvShape s) => (s.OH - 1) * Wq + s.OW;

    /// <summary>
    /// Cuts the grid into pieces of about <paramref name="columns"/> positions: ranges of one image's positions up
    /// to its span or, when an image is smaller than half a piece, groups of whole images.
    /// </summary>
    public GridPieces Pieces(in ConvShape s, int columns)
    {
        int span = Span(s);
        return span >= columns / 2
            ? new GridPieces(Plane, span, columns, (span + columns - 1) / columns, 0, Images)
            : new GridPieces(Plane, span, columns, 0, ConvolutionKernels.ImagesPerPiece(columns / Plane, Images), Images);
    }

    /// <summary>
    /// Whether a grid suits this convolution: at most 15 % of the positions along a row hold no output, and the
    /// whole grid is addressable with 32-bit offsets (a very large batch falls back to lowering).
    /// </summary>
    public static bool Worthwhile(in ConvShape s, int images)
    {
        long wq = (s.W + 2L * s.PadW + s.StrideW - 1) / s.StrideW;
        return (wq - s.OW) * 100 <= 15 * wq && Addressable(s, images);
    }

    /// <summary>Whether the grid of this batch is addressable with 32-bit offsets.</summary>
    public static bool Addressable(in ConvShape s, int images)
    {
        long hq = (s.H + 2L * s.PadH + s.StrideH - 1) / s.StrideH;
        long wq = (s.W + 2L * s.PadW + s.StrideW - 1) / s.StrideW;
        return hq * wq * s.StrideH * s.StrideW * s.C * images < int.MaxValue / 2;
    }

    public void Offsets(in ConvShape s, int* offsets)
    {
        int r = 0;
        for (int c = 0; c < s.C; c++)
            for (int i = 0; i < s.KH; i++)
                for (int j = 0; j < s.KW; j++)
                {
                    long phase = (long)(i % s.StrideH) * _phasesW + j % s.StrideW;
                    offsets[r++] = checked((int)(((phase * s.C + c) * Images) * Plane + (i / s.StrideH) * Wq + j / s.StrideW));
                }
    }

    /// <summary>Fills <paramref name="grid"/> (<see cref="Size"/> floats) from x (N, C, H, W), spread over the cores.</summary>
    public void Build(in ConvShape s, float* x, float* grid)
    {
        CpuWorkers.For(Images * s.C, new BuildJob(s, this, x, grid));
        long body = (long)Phases * s.C * Images * Plane;
        new Span<float>(grid + body, (int)Slack(s)).Clear();
    }

    private sealed class BuildJob(ConvShape s, PhaseGrid g, float* x, float* grid) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int index, int worker)
        {
            int image = index / s.C, channel = index - image * s.C;
            float* src = x + (long)index * s.InputPlane;
            bool gather = Im2Col.CanGather(s.StrideW);
            int phasesH = Math.Min(s.StrideH, s.KH), phasesW = Math.Min(s.StrideW, s.KW);
            for (int a = 0; a < phasesH; a++)
                for (int b = 0; b < phasesW; b++)
                {
                    long phase = (long)a * phasesW + b;
                    float* dst = grid + ((phase * s.C + channel) * g.Images + image) * g.Plane;
                    for (int u = 0; u < g.Hq; u++)
                    {
                        int ih = s.StrideH * u + a - s.PadH;
                        float* row = dst + (long)u * g.Wq;
                        if ((uint)ih >= (uint)s.H) new Span<float>(row, g.Wq).Clear();
                        else Im2Col.SampleRow(src + (long)ih * s.W, s.W, b - s.PadW, s.StrideW, g.Wq, row, gather);
                    }
                }
        }
    }
}

/// <summary>A cut of a <see cref="PhaseGrid"/> into pieces: piece i covers grid positions [Start, Start + Count).</summary>
internal readonly struct GridPieces(int plane, int span, int columns, int perImage, int imagesPerPiece, int images)
{
    public int Count => perImage > 0 ? images * perImage : (images + imagesPerPiece - 1) / imagesPerPiece;

    public (int Start, int Count) this[int piece]
    {
        get
        {
            if (perImage > 0)
            {
                int image = piece / perImage, q0 = piece % perImage * columns;
                return (image * plane + q0, Math.Min(columns, span - q0));
            }
            int first = piece * imagesPerPiece;
            int group = Math.Min(imagesPerPiece, images - first);
            return (first * plane, (group - 1) * plane + span);
        }
    }
}

/// <summary>
/// Convolution forward with B read in place from a <see cref="PhaseGrid"/> by the micro-kernel
/// (<see cref="Avx512GemmKernel.RunIndirect"/>): no lowering and no packing of the input. Used with AVX-512 where
/// the grid wastes little (wide rows, the auditory stream's 1-D rows, and strides 2 and 4 thanks to the phases).
/// </summary>
internal static unsafe class IndirectConvolution
{
    private const int Tile = 48;

    /// <summary>Output positions over the batch above which a convolution takes this path (see <see cref="Applies"/>).</summary>
    internal const int SmallestProduct = 1024;

    private static readonly PerWorkerScratch Grids = new();
    private static readonly PerWorkerScratch RowOffsets = new();
    private static readonly PerWorkerScratch OutputTiles = new();

    /// <summary>
    /// Whether a convolution takes this path: AVX-512, at most 15 % of the grid wasted along a row (lowering costs
    /// more than that on the network's layers; an 8-wide visual map would waste 20 %), and few enough planes per
    /// depth block. Each (phase, channel) plane a block reads is its own memory page: past some 32 of them the
    /// micro-kernel's loads miss the first-level TLB, and packed panels win (measured: a 3x3 stride-2 convolution
    /// of 32 channels reads 64 planes per block and runs slower in place than lowered). Small products go to the
    /// GEMM whole: below about a thousand positions (an 8x8 map at batch 8) a piece per core leaves micro-tiles half
    /// empty, while 15x15 at batch 8 already runs faster here than as one lowered product (measured).
    /// </summary>
    public static bool Applies(in ConvShape s, int images) =>
        CpuIsa.Level == SimdLevel.Avx512 && Avx512GemmKernel.NR == Tile && !s.IsPointwise && PhaseGrid.Worthwhile(s, images)
        && PlanesPerBlock(s) <= 32 && (long)images * s.OutputPlane > SmallestProduct;

    private static int PlanesPerBlock(in ConvShape s)
    {
        int taps = s.KH * s.KW;
        int channels = Math.Min(s.C, (Sgemm.DepthBlock(s.Patch) + taps - 1) / taps + 1);
        int phases = Math.Min(s.StrideH, s.KH) * Math.Min(s.StrideW, s.KW);
        return channels * phases;
    }

    /// <summary>y (N, K, OH, OW) = filter · x (+ bias) with the filter already packed; runs on the calling participant <paramref name="worker"/>.</summary>
    public static void Forward(in ConvShape s, int n, PackedA filter, float* x, float* bias, float* y, int worker, float* reserve = null)
    {
        var grid = new PhaseGrid(s, n);
        float* cells = reserve != null ? reserve : Grids[worker].Get(grid.Size(s));
        grid.Build(s, x, cells);
        int* offsets = (int*)RowOffsets[worker].Get(s.Patch);
        grid.Offsets(s, offsets);

        // An output tile of about 512 KiB per piece.
        var pieces = grid.Pieces(s, Math.Clamp((128 * 1024 / filter.PaddedM) / Tile * Tile, 2 * Tile, 2048));
        CpuWorkers.For(pieces.Count, new PieceJob(s, filter, cells, offsets, bias, y, grid, pieces));
    }

    private sealed class PieceJob(ConvShape s, PackedA filter, float* cells, int* offsets, float* bias, float* y,
        PhaseGrid grid, GridPieces pieces) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int piece, int worker)
        {
            var (start, count) = pieces[piece];
            int plane = grid.Plane, rowWidth = grid.Wq;
            int width = (count + Tile - 1) / Tile * Tile;
            int rows = filter.PaddedM;
            float* tile = OutputTiles[worker].Get((long)rows * width);
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
            // Keep the grid positions that are outputs (oh < OH, ow < OW), adding the bias on the way.
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
                        VectorMath.ScaleShift(tile + (long)m * width + (q - start), dst, valid, 1f, bias == null ? 0f : bias[m]);
                    }
                q = next;
            }
        }
    }
}
