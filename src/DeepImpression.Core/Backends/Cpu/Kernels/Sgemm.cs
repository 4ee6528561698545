namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>
/// Single-precision GEMM, C = alpha·A·B + beta·C, blocked the BLIS way: a kc x nc block of B is packed once and
/// reused for every mc-row block of A; a packed mr x kc panel of A and a kc x nr panel of B feed the register-tiled
/// micro-kernel, the B panel staying in L1 while A panels stream from L2. Large products are split over the
/// cores by columns (or rows when there are few columns), each worker with its own packing buffers.
/// </summary>
internal static unsafe class Sgemm
{
    /// <summary>Depth of a packed block: a kc x 48 B panel (36 KiB at 192) stays in Zen 5's 48 KiB L1.</summary>
    internal static int BlockK = 192;
    /// <summary>Rows of A packed together (mc x kc in L2).</summary>
    internal static int BlockM = 192;
    /// <summary>Columns of B packed together (kc x nc in L2/L3).</summary>
    internal static int BlockN = 3072;

    /// <summary>Products smaller than this many multiply-adds run on one core: a parallel region costs microseconds.</summary>
    private const long ParallelThreshold = 1L << 18;

    private static readonly PerWorkerScratch PackedA = new();
    private static readonly PerWorkerScratch PackedB = new();

    /// <summary>C (m x n, row stride ldc) = alpha·A·B + beta·C with A m x k and B k x n given as strided views.
    /// With beta = 0, C is never read. <paramref name="parallel"/> = false keeps the work on the calling thread.</summary>
    public static void Multiply(int m, int n, int k, float alpha, MatrixView a, MatrixView b, float beta, float* c, nint ldc, bool parallel = true)
    {
        if (m <= 0 || n <= 0) return;
        if (k <= 0 || alpha == 0f)
        {
            ScaleOnly(m, n, beta, c, ldc);
            return;
        }
        switch (CpuIsa.Level)
        {
            case SimdLevel.Avx512: Run<Avx512GemmKernel>(m, n, k, alpha, a, b, beta, c, ldc, parallel); break;
            case SimdLevel.Avx2: Run<Avx2GemmKernel>(m, n, k, alpha, a, b, beta, c, ldc, parallel); break;
            default: Run<PortableGemmKernel>(m, n, k, alpha, a, b, beta, c, ldc, parallel); break;
        }
    }

    private static void ScaleOnly(int m, int n, float beta, float* c, nint ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f) for (int j = 0; j < n; j++) row[j] *= beta;
        }
    }

    private static void Run<TKernel>(int m, int n, int k, float alpha, MatrixView a, MatrixView b, float beta, float* c, nint ldc, bool parallel)
        where TKernel : IGemmMicroKernel
    {
        int workers = CpuWorkers.Count;
        int mr = TKernel.MR, nr = TKernel.NR;
        int splitM = 1, splitN = 1;
        if (parallel && workers > 1 && (long)m * n * k >= ParallelThreshold)
        {
            if (n >= workers * nr * 4 || (n >= workers * nr && m < workers * mr * 2)) splitN = workers;
            else if (m >= workers * mr * 2) splitM = workers;
            else if (n >= workers * nr) splitN = workers;
        }
        var job = new GemmJob<TKernel>
        {
            M = m, N = n, K = k, Alpha = alpha, A = a, B = b, Beta = beta, C = c, Ldc = ldc,
            RowsPerTask = RoundUp(DivUp(m, splitM), mr), ColumnsPerTask = RoundUp(DivUp(n, splitN), nr),
            TasksN = splitN,
        };
        CpuWorkers.For(splitM * splitN, job);
    }

    private static int DivUp(int a, int b) => (a + b - 1) / b;
    private static int RoundUp(int a, int multiple) => DivUp(a, multiple) * multiple;

    private sealed class GemmJob<TKernel> : IParallelBody where TKernel : IGemmMicroKernel
    {
        public int M, N, K, RowsPerTask, ColumnsPerTask, TasksN;
        public float Alpha, Beta;
        public MatrixView A, B;
        public float* C;
        public nint Ldc;

        public void Execute(int index, int worker)
        {
            int i0 = index / TasksN * RowsPerTask, j0 = index % TasksN * ColumnsPerTask;
            int i1 = Math.Min(M, i0 + RowsPerTask), j1 = Math.Min(N, j0 + ColumnsPerTask);
            if (i0 >= i1 || j0 >= j1) return;
            Blocked<TKernel>(i0, i1, j0, j1, K, Alpha, A, B, Beta, C, Ldc, worker);
        }
    }

    /// <summary>The BLIS loop nest over one rectangle [i0, i1) x [j0, j1) of C.</summary>
    private static void Blocked<TKernel>(int i0, int i1, int j0, int j1, int k, float alpha, MatrixView a, MatrixView b,
        float beta, float* c, nint ldc, int worker) where TKernel : IGemmMicroKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        int kcMax = Math.Min(BlockK, k);
        int mcMax = Math.Min(RoundUp(BlockM, mr), RoundUp(i1 - i0, mr));
        int ncMax = Math.Min(RoundUp(BlockN, nr), RoundUp(j1 - j0, nr));
        float* packedA = PackedA[worker].Get((long)mcMax * kcMax);
        float* packedB = PackedB[worker].Get((long)ncMax * kcMax);
        float* tile = stackalloc float[mr * nr];
        var firstStore = beta == 0f ? GemmStore.Overwrite : beta == 1f ? GemmStore.Accumulate : GemmStore.Scale;

        for (int jc = j0; jc < j1; jc += ncMax)
        {
            int nc = Math.Min(ncMax, j1 - jc);
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                var store = pc == 0 ? firstStore : GemmStore.Accumulate;
                GemmPacking.PackB(b, pc, kc, jc, nc, nr, packedB);
                for (int ic = i0; ic < i1; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, i1 - ic);
                    GemmPacking.PackA(a, ic, mc, pc, kc, alpha, mr, packedA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        float* bPanel = packedB + (nint)jr * kc;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            float* aPanel = packedA + (nint)ir * kc;
                            float* cTile = c + (ic + ir) * ldc + jc + jr;
                            if (rows == mr && cols == nr)
                            {
                                TKernel.Run(kc, aPanel, bPanel, cTile, ldc, store, beta);
                            }
                            else
                            {
                                TKernel.Run(kc, aPanel, bPanel, tile, nr, GemmStore.Overwrite, 0f);
                                MergeEdge(tile, nr, cTile, ldc, rows, cols, store, beta);
                            }
                        }
                    }
                }
            }
        }
    }

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
