using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>
/// C[i, j] (+)= Σ_q A[i, q]·B[j, q]: a product whose reduction runs along the rows of both operands, as in a
/// filter gradient (output gradient rows times lowered-input rows, both contiguous along the output positions).
/// Vectorizing along q needs no packing or transposition at all: a register tile of dot products accumulates in
/// vector lanes and is summed horizontally once at the end. Rows are <c>length</c> long, a multiple of 16, zero-padded.
/// </summary>
internal static unsafe class DotKernels
{
    /// <summary>Rows of A and rows of B per register tile at a SIMD level.</summary>
    public static (int Rows, int Columns) Tile(SimdLevel level) => level switch
    {
        SimdLevel.Avx512 => (4, 6),
        SimdLevel.Avx2 => (3, 4),
        _ => (1, 1),
    };

    /// <summary>
    /// C[i0.., j0..] for a tile of <paramref name="rows"/> x <paramref name="columns"/> (at most <see cref="Tile"/>):
    /// row i of A at a + i·lda, row j of B at b + bRows[j] (B rows need not be evenly spaced: they may be read in
    /// place from a <see cref="Convolution.PhaseGrid"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile4x6OrLess(SimdLevel level, int rows, int columns, int length, float* a, nint lda, float* b, int* bRows, float* c, nint ldc, bool accumulate)
    {
        if (level == SimdLevel.Avx512 && rows == 4 && columns == 6)
        {
            Avx512Tile(length, a, lda, b, bRows, c, ldc, accumulate);
            return;
        }
        if (level == SimdLevel.Avx2 && rows == 3 && columns == 4)
        {
            Avx2Tile(length, a, lda, b, bRows, c, ldc, accumulate);
            return;
        }
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
            {
                float dot = Dot(a + i * lda, b + bRows[j], length, level);
                float* target = c + i * ldc + j;
                *target = accumulate ? *target + dot : dot;
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot(float* x, float* y, int length, SimdLevel level)
    {
        int q = 0;
        float sum = 0f;
        if (level == SimdLevel.Avx512)
        {
            Vector512<float> s0 = default, s1 = default;
            for (; q <= length - 32; q += 32)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.Load(x + q), Vector512.Load(y + q), s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.Load(x + q + 16), Vector512.Load(y + q + 16), s1);
            }
            for (; q <= length - 16; q += 16) s0 = Vector512.FusedMultiplyAdd(Vector512.Load(x + q), Vector512.Load(y + q), s0);
            sum = Vector512.Sum(s0 + s1);
        }
        else if (level == SimdLevel.Avx2)
        {
            Vector256<float> s0 = default;
            for (; q <= length - 8; q += 8) s0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + q), Vector256.Load(y + q), s0);
            sum = Vector256.Sum(s0);
        }
        for (; q < length; q++) sum = MathF.FusedMultiplyAdd(x[q], y[q], sum);
        return sum;
    }

    /// <summary>4 rows of A against 6 rows of B: 24 zmm accumulators, four A vectors held, B vectors loaded one at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Avx512Tile(int length, float* a, nint lda, float* b, int* bRows, float* c, nint ldc, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c04 = default, c05 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default, c24 = default, c25 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default, c34 = default, c35 = default;
        float* a0p = a, a1p = a + lda, a2p = a + 2 * lda, a3p = a + 3 * lda;
        float* b0p = b + bRows[0], b1p = b + bRows[1], b2p = b + bRows[2], b3p = b + bRows[3], b4p = b + bRows[4], b5p = b + bRows[5];
        for (int q = 0; q < length; q += 16)
        {
            var a0 = Vector512.Load(a0p + q); var a1 = Vector512.Load(a1p + q);
            var a2 = Vector512.Load(a2p + q); var a3 = Vector512.Load(a3p + q);
            var bv = Vector512.Load(b0p + q);
            c00 = Vector512.FusedMultiplyAdd(a0, bv, c00); c10 = Vector512.FusedMultiplyAdd(a1, bv, c10);
            c20 = Vector512.FusedMultiplyAdd(a2, bv, c20); c30 = Vector512.FusedMultiplyAdd(a3, bv, c30);
            bv = Vector512.Load(b1p + q);
            c01 = Vector512.FusedMultiplyAdd(a0, bv, c01); c11 = Vector512.FusedMultiplyAdd(a1, bv, c11);
            c21 = Vector512.FusedMultiplyAdd(a2, bv, c21); c31 = Vector512.FusedMultiplyAdd(a3, bv, c31);
            bv = Vector512.Load(b2p + q);
            c02 = Vector512.FusedMultiplyAdd(a0, bv, c02); c12 = Vector512.FusedMultiplyAdd(a1, bv, c12);
            c22 = Vector512.FusedMultiplyAdd(a2, bv, c22); c32 = Vector512.FusedMultiplyAdd(a3, bv, c32);
            bv = Vector512.Load(b3p + q);
            c03 = Vector512.FusedMultiplyAdd(a0, bv, c03); c13 = Vector512.FusedMultiplyAdd(a1, bv, c13);
            c23 = Vector512.FusedMultiplyAdd(a2, bv, c23); c33 = Vector512.FusedMultiplyAdd(a3, bv, c33);
            bv = Vector512.Load(b4p + q);
            c04 = Vector512.FusedMultiplyAdd(a0, bv, c04); c14 = Vector512.FusedMultiplyAdd(a1, bv, c14);
            c24 = Vector512.FusedMultiplyAdd(a2, bv, c24); c34 = Vector512.FusedMultiplyAdd(a3, bv, c34);
            bv = Vector512.Load(b5p + q);
            c05 = Vector512.FusedMultiplyAdd(a0, bv, c05); c15 = Vector512.FusedMultiplyAdd(a1, bv, c15);
            c25 = Vector512.FusedMultiplyAdd(a2, bv, c25); c35 = Vector512.FusedMultiplyAdd(a3, bv, c35);
        }
        StoreRow(c, accumulate, c00, c01, c02, c03, c04, c05);
        StoreRow(c + ldc, accumulate, c10, c11, c12, c13, c14, c15);
        StoreRow(c + 2 * ldc, accumulate, c20, c21, c22, c23, c24, c25);
        StoreRow(c + 3 * ldc, accumulate, c30, c31, c32, c33, c34, c35);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, bool accumulate, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2,
        Vector512<float> x3, Vector512<float> x4, Vector512<float> x5)
    {
        float s0 = Vector512.Sum(x0), s1 = Vector512.Sum(x1), s2 = Vector512.Sum(x2);
        float s3 = Vector512.Sum(x3), s4 = Vector512.Sum(x4), s5 = Vector512.Sum(x5);
        if (accumulate) { c[0] += s0; c[1] += s1; c[2] += s2; c[3] += s3; c[4] += s4; c[5] += s5; }
        else { c[0] = s0; c[1] = s1; c[2] = s2; c[3] = s3; c[4] = s4; c[5] = s5; }
    }

    /// <summary>3 rows of A against 4 rows of B in 12 ymm accumulators (16 registers in all).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Avx2Tile(int length, float* a, nint lda, float* b, int* bRows, float* c, nint ldc, bool accumulate)
    {
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default, c23 = default;
        float* a0p = a, a1p = a + lda, a2p = a + 2 * lda;
        float* b0p = b + bRows[0], b1p = b + bRows[1], b2p = b + bRows[2], b3p = b + bRows[3];
        for (int q = 0; q < length; q += 8)
        {
            var a0 = Vector256.Load(a0p + q); var a1 = Vector256.Load(a1p + q); var a2 = Vector256.Load(a2p + q);
            var bv = Vector256.Load(b0p + q);
            c00 = Vector256.FusedMultiplyAdd(a0, bv, c00); c10 = Vector256.FusedMultiplyAdd(a1, bv, c10); c20 = Vector256.FusedMultiplyAdd(a2, bv, c20);
            bv = Vector256.Load(b1p + q);
            c01 = Vector256.FusedMultiplyAdd(a0, bv, c01); c11 = Vector256.FusedMultiplyAdd(a1, bv, c11); c21 = Vector256.FusedMultiplyAdd(a2, bv, c21);
            bv = Vector256.Load(b2p + q);
            c02 = Vector256.FusedMultiplyAdd(a0, bv, c02); c12 = Vector256.FusedMultiplyAdd(a1, bv, c12); c22 = Vector256.FusedMultiplyAdd(a2, bv, c22);
            bv = Vector256.Load(b3p + q);
            c03 = Vector256.FusedMultiplyAdd(a0, bv, c03); c13 = Vector256.FusedMultiplyAdd(a1, bv, c13); c23 = Vector256.FusedMultiplyAdd(a2, bv, c23);
        }
        float* r0 = c, r1 = c + ldc, r2 = c + 2 * ldc;
        if (accumulate)
        {
            r0[0] += Vector256.Sum(c00); r0[1] += Vector256.Sum(c01); r0[2] += Vector256.Sum(c02); r0[3] += Vector256.Sum(c03);
            r1[0] += Vector256.Sum(c10); r1[1] += Vector256.Sum(c11); r1[2] += Vector256.Sum(c12); r1[3] += Vector256.Sum(c13);
            r2[0] += Vector256.Sum(c20); r2[1] += Vector256.Sum(c21); r2[2] += Vector256.Sum(c22); r2[3] += Vector256.Sum(c23);
        }
        else
        {
            r0[0] = Vector256.Sum(c00); r0[1] = Vector256.Sum(c01); r0[2] = Vector256.Sum(c02); r0[3] = Vector256.Sum(c03);
            r1[0] = Vector256.Sum(c10); r1[1] = Vector256.Sum(c11); r1[2] = Vector256.Sum(c12); r1[3] = Vector256.Sum(c13);
            r2[0] = Vector256.Sum(c20); r2[1] = Vector256.Sum(c21); r2[2] = Vector256.Sum(c22); r2[3] = Vector256.Sum(c23);
        }
    }
}
