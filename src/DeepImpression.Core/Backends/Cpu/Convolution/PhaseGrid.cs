using System.Runtime.CompilerServices;
using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

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
    public GridPieces Pieces(in ConvShape s, int columns, int workers)
    {
        int span = Span(s);
        return span >= columns / 2
            ? new GridPieces(Plane, span, columns, (span + columns - 1) / columns, 0, Images)
            : new GridPieces(Plane, span, columns, 0, BatchedProduct.ImagesPerPiece(columns / Plane, Images, workers), Images);
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

    /// <summary>The phase grid of the whole batch and its patch-row offsets: in <paramref name="reserve"/> when given
    /// (built there, or already built by the forward when <paramref name="build"/> is false), else in the calling
    /// participant's scratch.</summary>
    public static PhaseGrid OfBatch(CpuContext context, in ConvShape s, int n, float* x, int worker, float* reserve, bool build,
        out float* cells, out int* offsets)
    {
        var grid = new PhaseGrid(s, n);
        cells = reserve != null ? reserve : context.Scratch(ConvolutionScratch.Grid, worker).Get(grid.Size(s));
        if (build) grid.Build(context, s, x, cells);
        offsets = (int*)context.Scratch(ConvolutionScratch.GridOffsets, worker).Get(s.Patch);
        grid.Offsets(s, offsets);
        return grid;
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
    public void Build(CpuContext context, in ConvShape s, float* x, float* grid)
    {
        context.Workers.For(Images * s.C, new BuildJob(context.Isa, s, this, x, grid));
        long body = (long)Phases * s.C * Images * Plane;
        new Span<float>(grid + body, (int)Slack(s)).Clear();
    }

    private sealed class BuildJob(SimdLevel level, ConvShape s, PhaseGrid g, float* x, float* grid) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int index, int worker)
        {
            int image = index / s.C, channel = index - image * s.C;
            float* src = x + (long)index * s.InputPlane;
            bool gather = Im2Col.CanGather(level, s.StrideW);
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
