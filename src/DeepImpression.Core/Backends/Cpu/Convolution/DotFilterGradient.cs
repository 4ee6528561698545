using System.Runtime.CompilerServices;
using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// <see cref="FilterGradientAlgorithm.DotsOverLoweredRows"/> and <see cref="FilterGradientAlgorithm.DotsOverPhaseGrid"/>:
/// dW[k, r] = Σ_q dy[k, q]·lowered[r, q] as register-tiled dot products along the positions q
/// (<see cref="DotKernels"/>). A piece, a range of positions, copies its dy rows once, then takes a few lowered rows
/// at a time into L1 (lowered from the input, or copied out of the batch's phase grid as aligned rows: cheaper than
/// lowering, and loads that never split cache lines) and runs the dot tile over every filter. Pieces are dealt into
/// a fixed number of groups, each summing its pieces in order into its own partial; the partials are added in
/// group order. Neither the cut nor the groups depend on the cores, so the result is the same whichever core ran
/// which group, and on machines with any number of cores.
/// </summary>
internal static unsafe class DotFilterGradient
{
    /// <summary>Partial sums: a constant, not the core count, so that the sum's rounding is the same on every
    /// machine (four keep two or four cores busy).</summary>
    private const int Groups = 4;

    private static readonly PerWorkerScratch PieceRows = new();
    private static readonly PerWorkerScratch Partials = new();

    private static int DivUp(int a, int b) => (a + b - 1) / b;
    private static int RoundUp(int a, int multiple) => DivUp(a, multiple) * multiple;

    /// <summary><paramref name="onGrid"/>: rows from the phase grid (in <paramref name="reserve"/> when the forward kept it) rather than lowered.</summary>
    public static void BackwardFilter(CpuContext context, bool onGrid, in ConvShape s, int n, float* x, float* dy, float* dw, int worker, float* reserve)
    {
        long filter = (long)s.K * s.Patch;
        int total = n * s.OutputPlane;
        Job job;
        if (onGrid)
        {
            // dy is laid out on the grid, zero where no output is.
            var grid = PhaseGrid.OfBatch(context, s, n, x, worker, reserve, build: reserve == null, out float* cells, out int* offsets);
            // The cut is made for a fixed pool size: it fixes the order of the sums.
            var pieces = grid.Pieces(s, PieceLength(grid.Images * grid.Plane, s.K), Groups);
            job = new Job(context, s, x, dy, pieces.Count, total, 0) { Grid = grid, Cells = cells, Offsets = offsets, GridCut = pieces };
        }
        else
        {
            int length = PieceLength(total, s.K);
            job = new Job(context, s, x, dy, DivUp(total, length), total, length);
        }
        int groups = Math.Min(job.Pieces, Groups);
        job.Groups = groups;
        job.Partials = context.Scratch(Partials, worker).Get(groups * filter);
        context.Workers.For(groups, job);
        new ReadOnlySpan<float>(job.Partials, (int)filter).CopyTo(new Span<float>(dw, (int)filter));
        for (int g = 1; g < groups; g++) VectorMath.AddInPlace(context.Isa, job.Partials + g * filter, dw, (int)filter);
    }

    /// <summary>
    /// Positions per piece: as many as possible (each dot tile ends in 24 horizontal sums), but with the piece's
    /// dy rows (filters x positions) within about 512 KiB of L2, and at least one piece per group; a multiple of 16.
    /// </summary>
    private static int PieceLength(int total, int filters)
    {
        int longest = Math.Clamp(128 * 1024 / Math.Max(1, filters) / 16 * 16, 256, 1024);
        int length = Math.Min(longest, Math.Max(64, RoundUp(DivUp(total, Groups), 16)));
        int pieces = DivUp(total, length);
        return RoundUp(DivUp(total, pieces), 16);
    }

    /// <summary>A parallel index is a group of consecutive pieces summed into the group's own partial. Positions are
    /// output positions q = n·OH·OW + p, or grid positions when <see cref="Grid"/> is set.</summary>
    private sealed class Job(CpuContext context, ConvShape s, float* x, float* dy, int pieces, int total, int length) : IParallelBody
    {
        public int Pieces => pieces;

        public int Groups { get; set; }
        public float* Partials { get; set; }

        public PhaseGrid Grid { get; init; }
        public float* Cells { get; init; }
        public int* Offsets { get; init; }
        public GridPieces GridCut { get; init; }

        public void Execute(int group, int worker)
        {
            float* partial = Partials + (long)group * s.K * s.Patch;
            int first = (int)((long)group * pieces / Groups), end = (int)((long)(group + 1) * pieces / Groups);
            for (int piece = first; piece < end; piece++) Piece(piece, worker, partial, accumulate: piece > first);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Piece(int piece, int worker, float* partial, bool accumulate)
        {
            var level = context.Isa;
            bool onGrid = Cells != null;
            int q0, count;
            if (onGrid) (q0, count) = GridCut[piece];
            else (q0, count) = (piece * length, Math.Min(length, total - piece * length));
            int padded = RoundUp(count, 16);
            var (tileRows, tileColumns) = DotKernels.Tile(level);
            float* gradient = context.Scratch(PieceRows, worker).Get((long)s.K * padded + (long)tileColumns * padded + 16);
            float* lowered = gradient + (long)s.K * padded;
            int* rows = (int*)(lowered + (long)tileColumns * padded);
            for (int k = 0; k < s.K; k++)
            {
                float* dst = gradient + (long)k * padded;
                if (onGrid) CopyGridRow(dy, k, q0, count, dst);
                else CopyPlaneRow(dy, s.K, s.OutputPlane, k, q0, count, dst);
                for (int t = count; t < padded; t++) dst[t] = 0f;
            }
            for (int r0 = 0; r0 < s.Patch; r0 += tileColumns)
            {
                int columns = Math.Min(tileColumns, s.Patch - r0);
                for (int j = 0; j < columns; j++)
                {
                    float* row = lowered + (long)j * padded;
                    rows[j] = j * padded;
                    if (onGrid)
                    {
                        // Past count the grid holds other positions' inputs; their dy is zero.
                        VectorMath.Copy(Cells + q0 + Offsets[r0 + j], row, padded);
                        continue;
                    }
                    Im2Col.LowerBatchRow(level, s, x, r0 + j, q0, count, row);
                    for (int t = count; t < padded; t++) row[t] = 0f;
                }
                for (int k0 = 0; k0 < s.K; k0 += tileRows)
                    DotKernels.Tile4x6OrLess(level, Math.Min(tileRows, s.K - k0), columns, padded, gradient + (long)k0 * padded, padded,
                        lowered, rows, partial + (long)k0 * s.Patch + r0, s.Patch, accumulate);
            }
        }

        /// <summary>dst[t] = dy[n, k, oh, ow] for grid position q0 + t = n·plane + oh·Wq + ow when that is an output, else 0.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void CopyGridRow(float* data, int k, int q0, int count, float* dst)
        {
            var g = Grid;
            for (int t = 0; t < count;)
            {
                int q = q0 + t, image = q / g.Plane, local = q - image * g.Plane;
                int oh = local / g.Wq, ow = local - oh * g.Wq;
                int run = Math.Min(g.Wq - ow, count - t);
                int valid = oh < s.OH ? Math.Clamp(s.OW - ow, 0, run) : 0;
                VectorMath.Copy(data + (((long)image * s.K + k) * s.OH + oh) * s.OW + ow, dst + t, valid);
                for (int z = valid; z < run; z++) dst[t + z] = 0f;
                t += run;
            }
        }
    }

    /// <summary>dst[t] = data[n, c, p] for q0 + t = n·plane + p, t in [0, length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void CopyPlaneRow(float* data, int channels, int plane, int c, int q0, int length, float* dst)
    {
        for (int t = 0; t < length;)
        {
            int q = q0 + t, n = q / plane, p = q - n * plane;
            int run = Math.Min(plane - p, length - t);
            VectorMath.Copy(data + ((long)n * channels + c) * plane + p, dst + t, run);
            t += run;
        }
    }
}
