using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>How a micro-kernel combines its MR x NR product with the tile of C it lands on.</summary>
internal enum GemmStore
{
    /// <summary>c = product (c's old contents are never read, so NaN there does not leak).</summary>
    Overwrite,
    /// <summary>c += product.</summary>
    Accumulate,
    /// <summary>c = product + beta·c.</summary>
    Scale,
}

/// <summary>
/// A register-tiled GEMM inner kernel: multiplies a packed MR x kc panel of A (column after column, MR values
/// each) by a packed kc x NR panel of B (row after row, NR values each) and stores the MR x NR result into C.
/// Static abstract members let the blocked driver be compiled once per kernel, with the kernel inlined.
/// </summary>
internal unsafe interface IGemmMicroKernel
{
    static abstract int MR { get; }
    static abstract int NR { get; }
    /// <summary><paramref name="ldb"/>: floats from one depth row of the B panel to the next: NR when packed, the matrix's row
    /// stride when B is read in place.</summary>
    static abstract void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, GemmStore store, float beta);

    /// <summary>Widths a partial last panel is computed in: an edge of <c>cols</c> columns costs
    /// ceil(cols / EdgeStep)·EdgeStep columns of work, and is packed that wide when not read in place.</summary>
    static abstract int EdgeStep { get; }

    /// <summary>Whether <see cref="RunEdge"/> reads exactly <paramref name="cols"/> columns of each B row (so B
    /// can be read in place, however narrow the edge).</summary>
    static abstract bool ReadsExactly(int cols);

    /// <summary>The product of a partial panel of <paramref name="cols"/> (&lt; NR) columns, overwriting an MR x NR
    /// tile (row stride NR) of which columns past ceil(cols / EdgeStep)·EdgeStep are left as they were.</summary>
    static abstract void RunEdge(int kc, float* a, float* b, nint ldb, float* tile, int cols);
}

/// <summary>8 x 48 tile in 24 zmm accumulators: per k step three B loads and eight broadcasts feed 24 FMAs.</summary>
internal readonly unsafe struct Avx512GemmKernel : IGemmMicroKernel
{
    public static int MR => 8;
    public static int NR => 48;

    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, GemmStore store, float beta) =>
        Tile<StridedRows>(kc, a, b, ldb, null, c, ldc, store, beta);

    /// <summary>
    /// The same tile with B read in place instead of from a packed panel: depth step p reads the 48 floats at
    /// b + offsets[p]. A convolution of stride 1 has every B row of a tile contiguous in its zero-padded input, so
    /// nothing is lowered or packed (see <c>IndirectConvolution</c>). Only Overwrite and Accumulate stores.
    /// </summary>
    public static void RunIndirect(int kc, float* a, float* b, int* offsets, float* c, nint ldc, GemmStore store) =>
        Tile<OffsetRows>(kc, a, b, 0, offsets, c, ldc, store, 0f);

    /// <summary>Where depth row p of B starts: b + p·ldb (packed panels, or a matrix read in place), or b + offsets[p].</summary>
    private interface IRowAddress
    {
        static abstract float* Row(float* b, nint ldb, int* offsets, int p);
    }

    private readonly struct StridedRows : IRowAddress
    {
        public static float* Row(float* b, nint ldb, int* offsets, int p) => b + p * ldb;
    }

    private readonly struct OffsetRows : IRowAddress
    {
        public static float* Row(float* b, nint ldb, int* offsets, int p) => b + offsets[p];
    }

    /// <summary>The micro-kernel proper, written once: the B-row addressing is a type argument, resolved at compile time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TRows>(int kc, float* a, float* b, nint ldb, int* offsets, float* c, nint ldc, GemmStore store, float beta)
        where TRows : IRowAddress
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c50 = default, c51 = default, c52 = default;
        Vector512<float> c60 = default, c61 = default, c62 = default, c70 = default, c71 = default, c72 = default;
        for (int p = 0; p < kc; p++, a += 8)
        {
            float* row = TRows.Row(b, ldb, offsets, p);
            var b0 = Vector512.Load(row);
            var b1 = Vector512.Load(row + 16);
            var b2 = Vector512.Load(row + 32);
            var x = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01); c02 = Avx512F.FusedMultiplyAdd(x, b2, c02);
            x = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11); c12 = Avx512F.FusedMultiplyAdd(x, b2, c12);
            x = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21); c22 = Avx512F.FusedMultiplyAdd(x, b2, c22);
            x = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31); c32 = Avx512F.FusedMultiplyAdd(x, b2, c32);
            x = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41); c42 = Avx512F.FusedMultiplyAdd(x, b2, c42);
            x = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51); c52 = Avx512F.FusedMultiplyAdd(x, b2, c52);
            x = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); c61 = Avx512F.FusedMultiplyAdd(x, b1, c61); c62 = Avx512F.FusedMultiplyAdd(x, b2, c62);
            x = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(x, b0, c70); c71 = Avx512F.FusedMultiplyAdd(x, b1, c71); c72 = Avx512F.FusedMultiplyAdd(x, b2, c72);
        }
        StoreRow(c, c00, c01, c02, store, beta); c += ldc;
        StoreRow(c, c10, c11, c12, store, beta); c += ldc;
        StoreRow(c, c20, c21, c22, store, beta); c += ldc;
        StoreRow(c, c30, c31, c32, store, beta); c += ldc;
        StoreRow(c, c40, c41, c42, store, beta); c += ldc;
        StoreRow(c, c50, c51, c52, store, beta); c += ldc;
        StoreRow(c, c60, c61, c62, store, beta); c += ldc;
        StoreRow(c, c70, c71, c72, store, beta);
    }

    public static int EdgeStep => 16;

    public static bool ReadsExactly(int cols) => cols <= 32;

    /// <summary>Edges of up to 32 columns in 8 or 16 accumulators instead of the full 24 (a 64-column product is
    /// 48 + 16 columns of work, not 96), B read through masked loads that never touch a column past the edge.</summary>
    public static void RunEdge(int kc, float* a, float* b, nint ldb, float* tile, int cols)
    {
        if (cols > 32) Run(kc, a, b, ldb, tile, NR, GemmStore.Overwrite, 0f);
        else if (cols > 16) RunNarrow<TwoVectors>(kc, a, b, ldb, tile, cols);
        else RunNarrow<OneVector>(kc, a, b, ldb, tile, cols);
    }

    private interface IVectorCount { static abstract bool Two { get; } }
    private readonly struct OneVector : IVectorCount { public static bool Two => false; }
    private readonly struct TwoVectors : IVectorCount { public static bool Two => true; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunNarrow<TCount>(int kc, float* a, float* b, nint ldb, float* tile, int cols) where TCount : IVectorCount
    {
        Vector512<float> c00 = default, c10 = default, c20 = default, c30 = default, c40 = default, c50 = default, c60 = default, c70 = default;
        Vector512<float> c01 = default, c11 = default, c21 = default, c31 = default, c41 = default, c51 = default, c61 = default, c71 = default;
        var lanes = Vector512<int>.Indices;
        var mask0 = Vector512.LessThan(lanes, Vector512.Create(cols)).AsSingle();
        var mask1 = Vector512.LessThan(lanes, Vector512.Create(cols - 16)).AsSingle();
        for (int p = 0; p < kc; p++, a += 8, b += ldb)
        {
            var b0 = Avx512F.MaskLoad(b, mask0, Vector512<float>.Zero);
            var b1 = TCount.Two ? Avx512F.MaskLoad(b + 16, mask1, Vector512<float>.Zero) : default;
            var x = Vector512.Create(a[0]); c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); if (TCount.Two) c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]); c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); if (TCount.Two) c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]); c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); if (TCount.Two) c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]); c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); if (TCount.Two) c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]); c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); if (TCount.Two) c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]); c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); if (TCount.Two) c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]); c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); if (TCount.Two) c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]); c70 = Avx512F.FusedMultiplyAdd(x, b0, c70); if (TCount.Two) c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
        }
        ReadOnlySpan<Vector512<float>> first = [c00, c10, c20, c30, c40, c50, c60, c70];
        ReadOnlySpan<Vector512<float>> second = [c01, c11, c21, c31, c41, c51, c61, c71];
        for (int i = 0; i < 8; i++)
        {
            first[i].Store(tile + i * NR);
            if (TCount.Two) second[i].Store(tile + i * NR + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, GemmStore store, float beta)
    {
        if (store == GemmStore.Accumulate)
        {
            x0 += Vector512.Load(c); x1 += Vector512.Load(c + 16); x2 += Vector512.Load(c + 32);
        }
        else if (store == GemmStore.Scale)
        {
            var s = Vector512.Create(beta);
            x0 = Avx512F.FusedMultiplyAdd(s, Vector512.Load(c), x0);
            x1 = Avx512F.FusedMultiplyAdd(s, Vector512.Load(c + 16), x1);
            x2 = Avx512F.FusedMultiplyAdd(s, Vector512.Load(c + 32), x2);
        }
        x0.Store(c); x1.Store(c + 16); x2.Store(c + 32);
    }
}

/// <summary>6 x 16 tile in 12 ymm accumulators (the classic Haswell shape: 16 registers leave room for two B rows and a broadcast).</summary>
internal readonly unsafe struct Avx2GemmKernel : IGemmMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int EdgeStep => NR;

    public static bool ReadsExactly(int cols) => false;

    public static void RunEdge(int kc, float* a, float* b, nint ldb, float* tile, int cols) =>
        Run(kc, a, b, ldb, tile, NR, GemmStore.Overwrite, 0f);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, GemmStore store, float beta)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(a0, b0, c00); c01 = Fma.MultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(a1, b0, c10); c11 = Fma.MultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(a2, b0, c20); c21 = Fma.MultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(a3, b0, c30); c31 = Fma.MultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(a4, b0, c40); c41 = Fma.MultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(a5, b0, c50); c51 = Fma.MultiplyAdd(a5, b1, c51);
            a += 6;
            b += ldb;
        }
        StoreRow(c, c00, c01, store, beta); c += ldc;
        StoreRow(c, c10, c11, store, beta); c += ldc;
        StoreRow(c, c20, c21, store, beta); c += ldc;
        StoreRow(c, c30, c31, store, beta); c += ldc;
        StoreRow(c, c40, c41, store, beta); c += ldc;
        StoreRow(c, c50, c51, store, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector256<float> x0, Vector256<float> x1, GemmStore store, float beta)
    {
        if (store == GemmStore.Accumulate)
        {
            x0 += Vector256.Load(c); x1 += Vector256.Load(c + 8);
        }
        else if (store == GemmStore.Scale)
        {
            var s = Vector256.Create(beta);
            x0 = Fma.MultiplyAdd(s, Vector256.Load(c), x0);
            x1 = Fma.MultiplyAdd(s, Vector256.Load(c + 8), x1);
        }
        x0.Store(c); x1.Store(c + 8);
    }
}

/// <summary>4 x 4 scalar tile for CPUs without the vector extensions above (and as the tested reference path).</summary>
internal readonly unsafe struct PortableGemmKernel : IGemmMicroKernel
{
    public static int MR => 4;
    public static int NR => 4;
    public static int EdgeStep => NR;

    public static bool ReadsExactly(int cols) => false;

    public static void RunEdge(int kc, float* a, float* b, nint ldb, float* tile, int cols) =>
        Run(kc, a, b, ldb, tile, NR, GemmStore.Overwrite, 0f);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, GemmStore store, float beta)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            a += 4;
            b += ldb;
        }
        StoreRow(c, c00, c01, c02, c03, store, beta); c += ldc;
        StoreRow(c, c10, c11, c12, c13, store, beta); c += ldc;
        StoreRow(c, c20, c21, c22, c23, store, beta); c += ldc;
        StoreRow(c, c30, c31, c32, c33, store, beta);
    }

    private static void StoreRow(float* c, float x0, float x1, float x2, float x3, GemmStore store, float beta)
    {
        if (store == GemmStore.Accumulate) { x0 += c[0]; x1 += c[1]; x2 += c[2]; x3 += c[3]; }
        else if (store == GemmStore.Scale) { x0 += beta * c[0]; x1 += beta * c[1]; x2 += beta * c[2]; x3 += beta * c[3]; }
        c[0] = x0; c[1] = x1; c[2] = x2; c[3] = x3;
    }
}
