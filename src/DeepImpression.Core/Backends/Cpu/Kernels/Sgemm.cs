using System.Runtime.CompilerServices;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>
/// A packed left operand: all of op(A)·alpha, cut into depth blocks of <see cref="Sgemm.BlockK"/> and, inside each,
/// into panels of MR rows laid out for the micro-kernel of <see cref="Level"/>. Packed once per product (or once per
/// convolution call, for the filter) and then read by every worker.
/// </summary>
internal readonly unsafe struct PackedA(float* data, int m, int k, int paddedM, SimdLevel level)
{
    public readonly float* Data = data;
    public readonly int M = m, K = k, PaddedM = paddedM;
    public readonly SimdLevel Level = level;

    /// <summary>The panel of rows [i, i+MR) in the depth block that starts at <paramref name="pc"/> (kc deep).</summary>
    public float* Panel(int pc, int i, int kc) => Data + (long)PaddedM * pc + (long)i * kc;
}

/// <summary>
/// Single-precision GEMM, C = alpha·A·B + beta·C, blocked the BLIS way. A is packed whole, once, and shared; the
/// product is cut into rectangles of C handed out to the cores one by one (so a core slowed by other work simply
/// takes fewer); each rectangle packs its kc x nc blocks of B into its worker's buffer (or, for a plain B and few rows
/// of A, reads B where it is) and runs the register-tiled micro-kernel over them, the B micro-panel staying in L1
/// while A panels stream from L2.
/// </summary>
internal sealed unsafe class Sgemm(CpuContext context)
{
    /// <summary>Largest depth of a block: a kc x 48 B micro-panel (48 KiB at 256) stays in Zen 5's L1/L2 boundary;
    /// the depth is cut into equal blocks no deeper than this (288 = 2 x 144, not 256 + 32).</summary>
    internal const int BlockK = 256;
    /// <summary>Rows of A swept per B micro-panel (mc x kc of packed A, 144 KiB, in L2).</summary>
    internal const int BlockM = 192;
    /// <summary>Columns of B packed together (kc x nc, 2.25 MiB at most, in L2/L3).</summary>
    internal const int BlockN = 3072;

    /// <summary>Rows of A up to which a plain B is read in place by the micro-kernel instead of packed. Measured on
    /// Zen 5: in place is faster for every product of the network (32 rows: 73 % of peak packed, 96 % in place) and
    /// ties at 1024³; packing still wins for 576 rows.</summary>
    internal const int InPlaceRows = 256;

    /// <summary>Products smaller than this many multiply-adds run on one core: a parallel region costs microseconds.</summary>
    private const long ParallelThreshold = 1L << 18;

    private static readonly PerWorkerScratch PackedAScratch = new();
    private static readonly PerWorkerScratch PackedBScratch = new();
    private static readonly PerWorkerScratch RowScratch = new();

    public static int RowTile(SimdLevel level) => level switch
    {
        SimdLevel.Avx512 => Avx512GemmKernel.MR,
        SimdLevel.Avx2 => Avx2GemmKernel.MR,
        _ => PortableGemmKernel.MR,
    };

    public static int ColumnTile(SimdLevel level) => level switch
    {
        SimdLevel.Avx512 => Avx512GemmKernel.NR,
        SimdLevel.Avx2 => Avx2GemmKernel.NR,
        _ => PortableGemmKernel.NR,
    };

    /// <summary>Floats a packed A of m x k needs at a SIMD level.</summary>
    public static long PackedSize(SimdLevel level, int m, int k)
    {
        int mr = RowTile(level);
        return (long)(m + mr - 1) / mr * mr * k;
    }

    /// <summary>
    /// Packs an m x k left operand (d = k, w = i of <paramref name="source"/>) into <paramref name="dst"/>
    /// (<see cref="PackedSize"/> floats); a large one (a deep layer's filter) is packed by all cores, in pieces of
    /// one depth block by a group of row panels.
    /// </summary>
    public PackedA Pack<TSource>(TSource source, int m, int k, float* dst) where TSource : struct, IPanelSource
    {
        var level = context.Isa;
        int mr = RowTile(level);
        int paddedM = (m + mr - 1) / mr * mr;
        var job = new PackJob<TSource>(context, source, m, k, mr, paddedM, DepthBlock(k), 16 * mr, dst);
        if ((long)m * k < ParallelThreshold / 4) job.RunAll(context.Workers.CurrentWorker);
        else context.Workers.For(job.Pieces, job);
        return new PackedA(dst, m, k, paddedM, level);
    }

    private sealed class PackJob<TSource>(CpuContext context, TSource source, int m, int k, int mr, int paddedM, int depth, int rowsPerPiece, float* dst)
        : IParallelBody where TSource : struct, IPanelSource
    {
        private readonly int _rowGroups = DivUp(m, rowsPerPiece);

        public int Pieces => DivUp(k, depth) * _rowGroups;

        public void RunAll(int worker)
        {
            for (int i = 0; i < Pieces; i++) Execute(i, worker);
        }

        public void Execute(int index, int worker)
        {
            int pc = index / _rowGroups * depth, i0 = index % _rowGroups * rowsPerPiece;
            int kc = Math.Min(depth, k - pc), rows = Math.Min(rowsPerPiece, m - i0);
            float* row = context.Scratch(RowScratch, worker).Get(Math.Max(kc, rows) + 64);
            source.Pack(pc, kc, i0, rows, mr, dst + (long)paddedM * pc + (long)i0 * kc, row);
        }
    }

    /// <summary>The depth of the blocks a reduction of length k is cut into (packing and multiplying agree on it).</summary>
    internal static int DepthBlock(int k) => Math.Max(1, DivUp(k, DivUp(k, BlockK)));

    /// <summary>C (m x n, row stride ldc) = alpha·A·B + beta·C with A m x k and B k x n given as strided views.
    /// With beta = 0, C is never read.</summary>
    public void Multiply(int m, int n, int k, float alpha, MatrixView a, MatrixView b, float beta, float* c, nint ldc, bool parallel = true)
    {
        if (m <= 0 || n <= 0) return;
        if (k <= 0 || alpha == 0f)
        {
            ScaleOnly(m, n, beta, c, ldc);
            return;
        }
        context.Workers.Serial(1, new PackThenMultiply(this, context, m, n, k, alpha, a, b, beta, c, ldc, parallel));
    }

    /// <summary>The general product on the calling participant: pack A into its slot, then multiply (maybe in parallel).</summary>
    private sealed class PackThenMultiply(Sgemm gemm, CpuContext context, int m, int n, int k, float alpha, MatrixView a, MatrixView b, float beta, float* c, nint ldc, bool parallel) : IParallelBody
    {
        public void Execute(int index, int worker)
        {
            var level = context.Isa;
            var packed = gemm.Pack(StridedSource.ForA(level, a, alpha), m, k, context.Scratch(PackedAScratch, worker).Get(PackedSize(level, m, k)));
            gemm.MultiplyPacked(packed, StridedSource.ForB(level, b), n, beta, c, ldc, parallel);
        }
    }

    /// <summary>C (a.M x n) = A·B + beta·C with A already packed and B packed on the fly from <paramref name="b"/> (d = k, w = j).</summary>
    public void MultiplyPacked<TB>(PackedA a, TB b, int n, float beta, float* c, nint ldc, bool parallel = true) where TB : struct, IPanelSource
    {
        if (a.M <= 0 || n <= 0) return;
        if (a.K <= 0)
        {
            ScaleOnly(a.M, n, beta, c, ldc);
            return;
        }
        switch (a.Level)
        {
            case SimdLevel.Avx512: Run<Avx512GemmKernel, TB>(a, b, n, beta, c, ldc, parallel); break;
            case SimdLevel.Avx2: Run<Avx2GemmKernel, TB>(a, b, n, beta, c, ldc, parallel); break;
            default: Run<PortableGemmKernel, TB>(a, b, n, beta, c, ldc, parallel); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaleOnly(int m, int n, float beta, float* c, nint ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f) for (int j = 0; j < n; j++) row[j] *= beta;
        }
    }

    private static int DivUp(int a, int b) => (a + b - 1) / b;
    private static int RoundUp(int a, int multiple) => DivUp(a, multiple) * multiple;

    private void Run<TKernel, TB>(PackedA a, TB b, int n, float beta, float* c, nint ldc, bool parallel)
        where TKernel : IGemmMicroKernel where TB : struct, IPanelSource
    {
        int m = a.M, mr = TKernel.MR, nr = TKernel.NR;
        int rowsPer = RoundUp(m, mr), columnsPer = RoundUp(n, nr);
        int workers = context.Workers.Count;
        if (parallel && workers > 1 && (long)m * n * a.K >= ParallelThreshold)
        {
            // Several rectangles per core: whichever core is free takes the next, so the split balances itself.
            // Splitting columns costs nothing extra (A is shared); splitting rows repacks B, so it comes second.
            int target = 6 * workers;
            columnsPer = Math.Max(RoundUp(DivUp(n, target), nr), 2 * nr);
            int tasksN = DivUp(n, columnsPer);
            if (tasksN < target)
            {
                // Row ranges of at least 64: thinner ones cost more per task than they gain in balance (measured).
                int tasksM = Math.Min(DivUp(target, tasksN), Math.Max(1, m / (8 * mr)));
                rowsPer = RoundUp(DivUp(m, tasksM), mr);
            }
        }
        int tasksRows = DivUp(m, rowsPer), tasksColumns = DivUp(n, columnsPer);
        var job = new GemmJob<TKernel, TB>(context, a, b, n, beta, c, ldc, rowsPer, columnsPer, tasksColumns);
        if (tasksRows * tasksColumns == 1) job.Execute(0, context.Workers.CurrentWorker);
        else context.Workers.For(tasksRows * tasksColumns, job);
    }

    private sealed class GemmJob<TKernel, TB>(CpuContext context, PackedA a, TB b, int n, float beta, float* c, nint ldc, int rowsPer, int columnsPer, int tasksColumns)
        : IParallelBody where TKernel : IGemmMicroKernel where TB : struct, IPanelSource
    {
        public void Execute(int index, int worker)
        {
            int i0 = index / tasksColumns * rowsPer, j0 = index % tasksColumns * columnsPer;
            int i1 = Math.Min(a.M, i0 + rowsPer), j1 = Math.Min(n, j0 + columnsPer);
            if (i0 < i1 && j0 < j1) Blocked<TKernel, TB>(context, a, b, i0, i1, j0, j1, beta, c, ldc, worker);
        }
    }

    /// <summary>The BLIS loop nest over one rectangle [i0, i1) x [j0, j1) of C; i0 is a multiple of MR.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocked<TKernel, TB>(CpuContext context, PackedA a, TB b, int i0, int i1, int j0, int j1, float beta, float* c, nint ldc, int worker)
        where TKernel : IGemmMicroKernel where TB : struct, IPanelSource
    {
        int mr = TKernel.MR, nr = TKernel.NR, k = a.K;
        int kcMax = DepthBlock(k);
        int mcMax = RoundUp(BlockM, mr);
        int ncMax = Math.Min(RoundUp(BlockN, nr), RoundUp(j1 - j0, nr));
        float* packedB = context.Scratch(PackedBScratch, worker).Get((long)ncMax * kcMax);
        float* row = context.Scratch(RowScratch, worker).Get(Math.Max(kcMax, ncMax) + 64);
        float* tile = stackalloc float[mr * nr];
        var firstStore = beta == 0f ? GemmStore.Overwrite : beta == 1f ? GemmStore.Accumulate : GemmStore.Scale;

        bool inPlace = typeof(TB) == typeof(StridedSource) && a.M <= InPlaceRows;
        for (int jc = j0; jc < j1; jc += ncMax)
        {
            int nc = Math.Min(ncMax, j1 - jc);
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                var store = pc == 0 ? firstStore : GemmStore.Accumulate;
                // Few rows of A use each B panel only a few times: reading B in place then beats packing it. A partial
                // last panel is read in place when its kernel reads exactly its columns (masked), and packed otherwise.
                nint ldb = nr;
                float* direct = inPlace ? Unsafe.As<TB, StridedSource>(ref b).InPlace(pc, jc, out ldb) : null;
                int readable = direct == null ? 0 : nc % nr == 0 || TKernel.ReadsExactly(nc % nr) ? nc : nc / nr * nr;
                // A partial last panel is packed only as wide as its kernel reads (16 or 32 columns of a 48 panel).
                int edge = nc % nr, edgePanel = edge == 0 ? nr : Math.Min(nr, RoundUp(edge, TKernel.EdgeStep));
                int lastPanel = nc - edge;
                if (readable < nc)
                {
                    if (readable < lastPanel) b.Pack(pc, kc, jc + readable, lastPanel - readable, nr, packedB + (long)readable * kc, row);
                    if (edge > 0) b.Pack(pc, kc, jc + lastPanel, edge, edgePanel, packedB + (long)lastPanel * kc, row);
                }
                for (int ic = i0; ic < i1; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, i1 - ic);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        bool read = jr < readable;
                        float* bPanel = read ? direct + jr : packedB + (long)jr * kc;
                        nint panelStride = read ? ldb : cols == nr ? nr : edgePanel;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            float* aPanel = a.Panel(pc, ic + ir, kc);
                            float* cTile = c + (ic + ir) * ldc + jc + jr;
                            if (rows == mr && cols == nr)
                            {
                                TKernel.Run(kc, aPanel, bPanel, panelStride, cTile, ldc, store, beta);
                            }
                            else
                            {
                                if (cols == nr) TKernel.Run(kc, aPanel, bPanel, panelStride, tile, nr, GemmStore.Overwrite, 0f);
                                else TKernel.RunEdge(kc, aPanel, bPanel, panelStride, tile, cols);
                                MergeEdge(tile, nr, cTile, ldc, rows, cols, store, beta);
                            }
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MergeEdge(float* tile, int nr, float* c, nint ldc, int rows, int cols, GemmStore store, float beta)
    {
        for (int i = 0; i < rows; i++)
        {
            float* t = tile + i * nr;
            float* d = c + i * ldc;
            switch (store)
            {
                case GemmStore.Overwrite: for (int j = 0; j < cols; j++) d[j] = t[j]; break;
                case GemmStore.Accumulate: for (int j = 0; j < cols; j++) d[j] += t[j]; break;
                default: for (int j = 0; j < cols; j++) d[j] = t[j] + beta * d[j]; break;
            }
        }
    }
}
