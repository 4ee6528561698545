using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// A one-dimensional Winograd transform over vectors (16 tiles per vector, one tile per lane): the data transform
/// Bᵀ d (α inputs, α outputs) and the output transform Aᵀ m (α inputs, m outputs). Written out for the points of
/// <see cref="WinogradMatrices"/>, which the tests check these against.
/// </summary>
internal unsafe interface IWinogradTransform
{
    static abstract int Alpha { get; }
    static abstract int M { get; }
    static abstract void Data(Vector512<float>* d, Vector512<float>* r);
    static abstract void Output(Vector512<float>* m, Vector512<float>* o);

    /// <summary>A g (m inputs, α outputs): the output transform's transpose, which carries an output gradient into
    /// the transformed positions for the filter gradient, ∂L/∂g = Gᵀ[(A ∂L/∂y) ⊙ (Bᵀ d)].</summary>
    static abstract void Gradient(Vector512<float>* g, Vector512<float>* r);
}

/// <summary>F(4, 3), points 0, ±1, ±2, ∞ (<see cref="WinogradMatrices.F43"/>).</summary>
internal readonly unsafe struct F43 : IWinogradTransform
{
    public static int Alpha => 6;
    public static int M => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Data(Vector512<float>* d, Vector512<float>* r) =>
        Data(d[0], d[1], d[2], d[3], d[4], d[5], out r[0], out r[1], out r[2], out r[3], out r[4], out r[5]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Output(Vector512<float>* m, Vector512<float>* o) => Output(m[0], m[1], m[2], m[3], m[4], m[5], out o[0], out o[1], out o[2], out o[3]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Gradient(Vector512<float>* g, Vector512<float>* r) =>
        Gradient(g[0], g[1], g[2], g[3], out r[0], out r[1], out r[2], out r[3], out r[4], out r[5]);

    /// <summary><see cref="Gradient(Vector512{float}*, Vector512{float}*)"/> on values held in registers: column ξ of Aᵀ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Gradient(Vector512<float> g0, Vector512<float> g1, Vector512<float> g2, Vector512<float> g3,
        out Vector512<float> r0, out Vector512<float> r1, out Vector512<float> r2, out Vector512<float> r3, out Vector512<float> r4,
        out Vector512<float> r5)
    {
        var even = g0 + g2;
        var odd = g1 + g3;
        var evenFour = Avx512F.FusedMultiplyAdd(Vector512.Create(4f), g2, g0);                                        // g0 + 4 g2
        var oddEight = Avx512F.FusedMultiplyAdd(Vector512.Create(8f), g3, g1 * Vector512.Create(2f));                   // 2 g1 + 8 g3
        r0 = g0;
        r1 = even + odd;
        r2 = even - odd;
        r3 = evenFour + oddEight;
        r4 = evenFour - oddEight;
        r5 = g3;
    }

    /// <summary><see cref="Data(Vector512{float}*, Vector512{float}*)"/> on values held in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Data(Vector512<float> d0, Vector512<float> d1, Vector512<float> d2, Vector512<float> d3, Vector512<float> d4,
        Vector512<float> d5, out Vector512<float> r0, out Vector512<float> r1, out Vector512<float> r2, out Vector512<float> r3,
        out Vector512<float> r4, out Vector512<float> r5)
    {
        var four = Vector512.Create(4f);
        var five = Vector512.Create(-5f);
        var minusFour = Vector512.Create(-4f);
        var a = Avx512F.FusedMultiplyAdd(minusFour, d2, d4);
        var b = Avx512F.FusedMultiplyAdd(minusFour, d1, d3);
        var c = d4 - d2;
        var e = (d3 - d1) * Vector512.Create(2f);
        r0 = Avx512F.FusedMultiplyAdd(five, d2, Avx512F.FusedMultiplyAdd(four, d0, d4));
        r1 = a + b;
        r2 = a - b;
        r3 = c + e;
        r4 = c - e;
        r5 = Avx512F.FusedMultiplyAdd(five, d3, Avx512F.FusedMultiplyAdd(four, d1, d5));
    }

    /// <summary><see cref="Output(Vector512{float}*, Vector512{float}*)"/> on values held in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Output(Vector512<float> m0, Vector512<float> m1, Vector512<float> m2, Vector512<float> m3, Vector512<float> m4,
        Vector512<float> m5, out Vector512<float> o0, out Vector512<float> o1, out Vector512<float> o2, out Vector512<float> o3)
    {
        var s12 = m1 + m2;
        var d12 = m1 - m2;
        var s34 = m3 + m4;
        var d34 = m3 - m4;
        o0 = m0 + s12 + s34;
        o1 = Avx512F.FusedMultiplyAdd(Vector512.Create(2f), d34, d12);
        o2 = Avx512F.FusedMultiplyAdd(Vector512.Create(4f), s34, s12);
        o3 = Avx512F.FusedMultiplyAdd(Vector512.Create(8f), d34, d12) + m5;
    }
}

/// <summary>F(3, 3), points 0, ±1, 2, ∞ (<see cref="WinogradMatrices.F33"/>).</summary>
internal readonly unsafe struct F33 : IWinogradTransform
{
    public static int Alpha => 5;
    public static int M => 3;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Data(Vector512<float>* d, Vector512<float>* r)
    {
        var two = Vector512.Create(2f);
        var d31 = d[3] - d[1];
        r[0] = Avx512F.FusedMultiplyAdd(two, d[0] - d[2], d31);              // 2 d0 − d1 − 2 d2 + d3
        r[1] = Avx512F.FusedMultiplyAdd(Vector512.Create(-2f), d[1], d[3] - d[2]); // −2 d1 − d2 + d3
        r[2] = Avx512F.FusedMultiplyAdd(two, d[1], Avx512F.FusedMultiplyAdd(Vector512.Create(-3f), d[2], d[3])); // 2 d1 − 3 d2 + d3
        r[3] = d31;                                                            // −d1 + d3
        r[4] = Avx512F.FusedMultiplyAdd(two, d[1] - d[3], d[4] - d[2]);       // 2 d1 − d2 − 2 d3 + d4
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Output(Vector512<float>* m, Vector512<float>* o)
    {
        var s12 = m[1] + m[2];
        o[0] = m[0] + s12 + m[3];
        o[1] = Avx512F.FusedMultiplyAdd(Vector512.Create(2f), m[3], m[1] - m[2]);
        o[2] = Avx512F.FusedMultiplyAdd(Vector512.Create(4f), m[3], s12) + m[4];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Gradient(Vector512<float>* g, Vector512<float>* r)
    {
        var even = g[0] + g[2];
        r[0] = g[0];
        r[1] = even + g[1];
        r[2] = even - g[1];
        r[3] = Avx512F.FusedMultiplyAdd(Vector512.Create(2f), g[1], Avx512F.FusedMultiplyAdd(Vector512.Create(4f), g[2], g[0]));
        r[4] = g[2];
    }
}

/// <summary>
/// The vector kernels of the Winograd algorithm (<see cref="WinogradConvolution"/>). A block's tiles lie along a
/// staging row, four columns each, slab after slab (a slab is a row of tiles), so that the second dimension's
/// transform (always F(4, 3)) reads 16 tiles with four whole-vector loads and a de-interleave by four. A tile also
/// reads the first two columns of the next; the last tile of a slab reads its slab's own two columns past the
/// end, which staging keeps aside ("tails") before the next slab overwrites them.
/// </summary>
[SkipLocalsInit]
internal static unsafe class WinogradTiles
{
    private static readonly Vector512<int> PairLowHalves = Vector512.Create(0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
    private static readonly Vector512<int> PairHighHalves = Vector512.Create(2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
    private static readonly Vector512<int> LowEights = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    private static readonly Vector512<int> HighEights = Vector512.Create(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    private static readonly Vector512<int> ZipLow = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    private static readonly Vector512<int> ZipHigh = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    private static readonly Vector512<int> PairsLow = Vector512.Create(0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
    private static readonly Vector512<int> PairsHigh = Vector512.Create(8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);

    /// <summary>Lane l of phase r of a de-interleave by three: element 3l + r of 48; the first table takes what lies in
    /// the first two vectors, the second completes it from the third.</summary>
    private static readonly Vector512<int>[] ThirdsFirst = [Thirds(0, false), Thirds(1, false), Thirds(2, false)];
    private static readonly Vector512<int>[] ThirdsSecond = [Thirds(0, true), Thirds(1, true), Thirds(2, true)];

    /// <summary>Element e of 48 interleaved outputs is lane e / 3 of row e mod 3; per output vector, two passes.</summary>
    private static readonly Vector512<int>[] WeaveFirst = [Weave(0, false), Weave(1, false), Weave(2, false)];
    private static readonly Vector512<int>[] WeaveSecond = [Weave(0, true), Weave(1, true), Weave(2, true)];

    private static Vector512<int> Thirds(int r, bool second)
    {
        var index = new int[16];
        for (int l = 0; l < 16; l++)
        {
            int e = 3 * l + r;
            index[l] = second ? (e < 32 ? l : 16 + e - 32) : (e < 32 ? e : 0);
        }
        return Vector512.Create(index);
    }

    private static Vector512<int> Weave(int q, bool second)
    {
        // Output vector q holds elements 16q .. 16q + 15; element e = 3l + r comes from lane l of row r. The first
        // pass picks rows 0 and 1 (sources a = row 0, b = row 1), the second brings in row 2 (source b).
        var index = new int[16];
        for (int j = 0; j < 16; j++)
        {
            int e = 16 * q + j, l = e / 3, r = e % 3;
            index[j] = second ? (r == 2 ? 16 + l : j) : (r == 0 ? l : r == 1 ? 16 + l : 0);
        }
        return Vector512.Create(index);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Permute(Vector512<float> a, Vector512<int> index, Vector512<float> b) =>
        Avx512F.PermuteVar16x32x2(a, index, b);

    /// <summary>Lanes 1..15 of <paramref name="v"/> followed by <paramref name="next"/>: the value one slot on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Shift(Vector512<float> v, float next) =>
        Avx512F.AlignRight32(Vector512.Create(next).AsUInt32(), v.AsUInt32(), 1).AsSingle();

    /// <summary>The lanes whose column c0 + lane lies in [lo, hi), as a mask vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Inside(int c0, int lo, int hi)
    {
        var column = Vector512.Create(c0) + Vector512<int>.Indices;
        return (Vector512.GreaterThanOrEqual(column, Vector512.Create(lo)) & Vector512.LessThan(column, Vector512.Create(hi))).AsSingle();
    }

    /// <summary>Columns 4t + j of 16 tiles (64 consecutive columns) as four vectors, one per j, lane t: a
    /// de-interleave by four in two rounds of two-source permutes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Deinterleave(float* s, out Vector512<float> d0, out Vector512<float> d1, out Vector512<float> d2, out Vector512<float> d3)
    {
        var a = Vector512.Load(s);
        var b = Vector512.Load(s + 16);
        var c = Vector512.Load(s + 32);
        var e = Vector512.Load(s + 48);
        var u0 = Permute(a, PairLowHalves, b);
        var u1 = Permute(a, PairHighHalves, b);
        var u2 = Permute(c, PairLowHalves, e);
        var u3 = Permute(c, PairHighHalves, e);
        d0 = Permute(u0, LowEights, u2);
        d1 = Permute(u0, HighEights, u2);
        d2 = Permute(u1, LowEights, u3);
        d3 = Permute(u1, HighEights, u3);
    }

    // ---- Data: staging ------------------------------------------------------------------------------------------

    /// <summary>
    /// First dimension of an image slab (a row of tiles starting at padded input row <paramref name="top"/>):
    /// staging row ξ, column col = Σ_u Bᵀ[ξ][u]·xpad[top + u][col] for col in [0, columns), x padded by
    /// <paramref name="padW"/> columns and zero outside the plane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void StageImage(float* plane, int h, int w, int top, int padW, int columns, float* staging, nint stagingStride)
    {
        var d = stackalloc Vector512<float>[6];
        var r = stackalloc Vector512<float>[6];
        for (int c0 = 0; c0 < columns; c0 += 16)
        {
            var mask = Inside(c0 - padW, 0, w);
            for (int u = 0; u < 6; u++)
            {
                int row = top + u;
                d[u] = (uint)row < (uint)h ? Avx512F.MaskLoad(plane + (long)row * w + c0 - padW, mask, Vector512<float>.Zero) : Vector512<float>.Zero;
            }
            F43.Data(d, r);
            for (int x = 0; x < 6; x++) r[x].Store(staging + x * stagingStride + c0);
        }
    }

    /// <summary>
    /// First dimension of a signal slab (tiles of twelve outputs; column m stands for sample 3m): staging row ξ,
    /// column m = Σ_u Bᵀ[ξ][u]·xpad[3(m0 + m) + u] for m in [0, columns), with the F(3, 3) data transform, x padded by
    /// <paramref name="pad"/> samples and zero outside [0, length).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void StageSignal(float* signal, int length, int m0, int pad, int columns, float* staging, nint stagingStride)
    {
        var d = stackalloc Vector512<float>[5];
        var r = stackalloc Vector512<float>[5];
        var zero = Vector512<float>.Zero;
        for (int c0 = 0; c0 < columns; c0 += 16)
        {
            int s0 = 3 * (m0 + c0) - pad;
            float* p = signal + s0;
            var e0 = Avx512F.MaskLoad(p, Inside(s0, 0, length), zero);
            var e1 = Avx512F.MaskLoad(p + 16, Inside(s0 + 16, 0, length), zero);
            var e2 = Avx512F.MaskLoad(p + 32, Inside(s0 + 32, 0, length), zero);
            int s48 = s0 + 48;
            float next0 = (uint)s48 < (uint)length ? p[48] : 0f, next1 = (uint)(s48 + 1) < (uint)length ? p[49] : 0f;
            for (int phase = 0; phase < 3; phase++)
                d[phase] = Permute(Permute(e0, ThirdsFirst[phase], e1), ThirdsSecond[phase], e2);
            d[3] = Shift(d[0], next0);
            d[4] = Shift(d[1], next1);
            F33.Data(d, r);
            for (int x = 0; x < 5; x++) r[x].Store(staging + x * stagingStride + c0);
        }
    }

    // ---- Data: second dimension and compression --------------------------------------------------------------

    /// <summary>
    /// The second dimension of one group of 16 tiles (staging columns 64g ..) for each of <paramref name="rows"/> staging
    /// rows: row ξ1 gives the six values ξ1·6 + ξ2, stored to <paramref name="v"/> + (ξ1·6 + ξ2)·<paramref name="vStride"/>.
    /// The lanes in <paramref name="ends"/> are the last tiles of their slabs: their fifth and sixth columns come from
    /// the tails (row ξ1 at <paramref name="tails"/> + ξ1·<paramref name="tailStride"/>, the next columns' after
    /// <paramref name="tailGap"/> floats), one per slab end in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformGroup(float* staging, nint stagingStride, int rows, Vector512<float> ends, float* tails, nint tailStride,
        nint tailGap, float* v, nint vStride)
    {
        for (int x1 = 0; x1 < rows; x1++)
        {
            float* s = staging + x1 * stagingStride;
            Deinterleave(s, out var d0, out var d1, out var d2, out var d3);
            float* tail = tails + x1 * tailStride;
            var d4 = Avx512F.Expand(Shift(d0, s[64]), ends, Vector512.Load(tail));
            var d5 = Avx512F.Expand(Shift(d1, s[65]), ends, Vector512.Load(tail + tailGap));
            F43.Data(d0, d1, d2, d3, d4, d5, out var r0, out var r1, out var r2, out var r3, out var r4, out var r5);
            float* target = v + (long)x1 * 6 * vStride;
            r0.Store(target);
            r1.Store(target + vStride);
            r2.Store(target + 2 * vStride);
            r3.Store(target + 3 * vStride);
            r4.Store(target + 4 * vStride);
            r5.Store(target + 5 * vStride);
        }
    }

    // ---- Output gradient (filter gradient) ------------------------------------------------------------------------

    /// <summary>
    /// First dimension of an image slab of the output gradient (tiles' rows <paramref name="top"/> .. + 3): staging row
    /// ξ, column col = Σ_i Aᵀ[i][ξ]·dy[top + i][col] for col in [0, columns), zero past the map.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void StageGradientImage(float* plane, int h, int w, int top, int columns, float* staging, nint stagingStride)
    {
        var g = stackalloc Vector512<float>[4];
        var r = stackalloc Vector512<float>[6];
        for (int c0 = 0; c0 < columns; c0 += 16)
        {
            var mask = Inside(c0, 0, w);
            for (int i = 0; i < 4; i++)
                g[i] = top + i < h ? Avx512F.MaskLoad(plane + (long)(top + i) * w + c0, mask, Vector512<float>.Zero) : Vector512<float>.Zero;
            F43.Gradient(g, r);
            for (int x = 0; x < 6; x++) r[x].Store(staging + x * stagingStride + c0);
        }
    }

    /// <summary>
    /// First dimension of a signal slab of the output gradient (column m stands for outputs 3m .. 3m + 2): staging row
    /// ξ, column m = Σ_i1 Aᵀ[i1][ξ]·dy[3(m0 + m) + i1] with the F(3, 3) transform, zero past the signal.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void StageGradientSignal(float* signal, int length, int m0, int columns, float* staging, nint stagingStride)
    {
        var g = stackalloc Vector512<float>[3];
        var r = stackalloc Vector512<float>[5];
        var zero = Vector512<float>.Zero;
        for (int c0 = 0; c0 < columns; c0 += 16)
        {
            int s0 = 3 * (m0 + c0);
            float* p = signal + s0;
            var e0 = Avx512F.MaskLoad(p, Inside(s0, 0, length), zero);
            var e1 = Avx512F.MaskLoad(p + 16, Inside(s0 + 16, 0, length), zero);
            var e2 = Avx512F.MaskLoad(p + 32, Inside(s0 + 32, 0, length), zero);
            for (int phase = 0; phase < 3; phase++)
                g[phase] = Permute(Permute(e0, ThirdsFirst[phase], e1), ThirdsSecond[phase], e2);
            F33.Gradient(g, r);
            for (int x = 0; x < 5; x++) r[x].Store(staging + x * stagingStride + c0);
        }
    }

    /// <summary>The second dimension of the output gradient for one group of 16 tiles, for each of <paramref name="rows"/>
    /// staging rows: row ξ1 gives the six values ξ1·6 + ξ2, stored to <paramref name="d"/> + (ξ1·6 + ξ2)·<paramref name="dStride"/>.
    /// Output tiles do not overlap: no tails.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformGradientGroup(float* staging, nint stagingStride, int rows, float* d, nint dStride)
    {
        for (int x1 = 0; x1 < rows; x1++)
        {
            Deinterleave(staging + x1 * stagingStride, out var d0, out var d1, out var d2, out var d3);
            F43.Gradient(d0, d1, d2, d3, out var r0, out var r1, out var r2, out var r3, out var r4, out var r5);
            float* target = d + (long)x1 * 6 * dStride;
            r0.Store(target);
            r1.Store(target + dStride);
            r2.Store(target + 2 * dStride);
            r3.Store(target + 3 * dStride);
            r4.Store(target + 4 * dStride);
            r5.Store(target + 5 * dStride);
        }
    }

    // ---- Output ------------------------------------------------------------------------------------------------

    /// <summary>
    /// The output transform of one group of 16 tiles for one filter: the α1·6 products (at <paramref name="m"/> +
    /// ξ·<paramref name="mStride"/>), the first dimension's Aᵀ, then the second's, the four values of each tile woven
    /// back into columns: output staging row i, columns 64g ...
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InverseGroup<TFirst>(float* m, nint mStride, float* output, nint outputStride)
        where TFirst : IWinogradTransform
    {
        if (typeof(TFirst) == typeof(F43))
        {
            InverseGroupSquare(m, mStride, output, outputStride);
            return;
        }
        int alpha1 = TFirst.Alpha;
        var column = stackalloc Vector512<float>[6];
        var outputs = stackalloc Vector512<float>[4];
        var reduced = stackalloc Vector512<float>[6 * 4];   // reduced[i·6 + ξ2]: the first dimension done
        for (int x2 = 0; x2 < 6; x2++)
        {
            for (int x1 = 0; x1 < alpha1; x1++) column[x1] = Vector512.Load(m + (x1 * 6 + x2) * mStride);
            TFirst.Output(column, outputs);
            for (int i = 0; i < TFirst.M; i++) reduced[i * 6 + x2] = outputs[i];
        }
        for (int i = 0; i < TFirst.M; i++)
        {
            var r = reduced + i * 6;
            WeaveRow(r[0], r[1], r[2], r[3], r[4], r[5], output + i * outputStride);
        }
    }

    /// <summary><see cref="InverseGroup{TFirst}"/> for F(4, 3) in both dimensions, its 36 products and 24 partial results
    /// in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InverseGroupSquare(float* m, nint mStride, float* output, nint outputStride)
    {
        // Columns ξ2 = 0..5 reduced along ξ1: aij is row i (0..3) of column j.
        F43.Output(Vector512.Load(m), Vector512.Load(m + 6 * mStride), Vector512.Load(m + 12 * mStride), Vector512.Load(m + 18 * mStride),
            Vector512.Load(m + 24 * mStride), Vector512.Load(m + 30 * mStride), out var a00, out var a10, out var a20, out var a30);
        m += mStride;
        F43.Output(Vector512.Load(m), Vector512.Load(m + 6 * mStride), Vector512.Load(m + 12 * mStride), Vector512.Load(m + 18 * mStride),
            Vector512.Load(m + 24 * mStride), Vector512.Load(m + 30 * mStride), out var a01, out var a11, out var a21, out var a31);
        m += mStride;
        F43.Output(Vector512.Load(m), Vector512.Load(m + 6 * mStride), Vector512.Load(m + 12 * mStride), Vector512.Load(m + 18 * mStride),
            Vector512.Load(m + 24 * mStride), Vector512.Load(m + 30 * mStride), out var a02, out var a12, out var a22, out var a32);
        m += mStride;
        F43.Output(Vector512.Load(m), Vector512.Load(m + 6 * mStride), Vector512.Load(m + 12 * mStride), Vector512.Load(m + 18 * mStride),
            Vector512.Load(m + 24 * mStride), Vector512.Load(m + 30 * mStride), out var a03, out var a13, out var a23, out var a33);
        m += mStride;
        F43.Output(Vector512.Load(m), Vector512.Load(m + 6 * mStride), Vector512.Load(m + 12 * mStride), Vector512.Load(m + 18 * mStride),
            Vector512.Load(m + 24 * mStride), Vector512.Load(m + 30 * mStride), out var a04, out var a14, out var a24, out var a34);
        m += mStride;
        F43.Output(Vector512.Load(m), Vector512.Load(m + 6 * mStride), Vector512.Load(m + 12 * mStride), Vector512.Load(m + 18 * mStride),
            Vector512.Load(m + 24 * mStride), Vector512.Load(m + 30 * mStride), out var a05, out var a15, out var a25, out var a35);
        WeaveRow(a00, a01, a02, a03, a04, a05, output);
        WeaveRow(a10, a11, a12, a13, a14, a15, output + outputStride);
        WeaveRow(a20, a21, a22, a23, a24, a25, output + 2 * outputStride);
        WeaveRow(a30, a31, a32, a33, a34, a35, output + 3 * outputStride);
    }

    /// <summary>The second dimension's output transform of one row of 16 tiles, the four outputs of each tile woven
    /// into 64 consecutive columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WeaveRow(Vector512<float> m0, Vector512<float> m1, Vector512<float> m2, Vector512<float> m3, Vector512<float> m4,
        Vector512<float> m5, float* row)
    {
        F43.Output(m0, m1, m2, m3, m4, m5, out var o0, out var o1, out var o2, out var o3);
        var low01 = Permute(o0, ZipLow, o1);
        var high01 = Permute(o0, ZipHigh, o1);
        var low23 = Permute(o2, ZipLow, o3);
        var high23 = Permute(o2, ZipHigh, o3);
        Permute(low01, PairsLow, low23).Store(row);
        Permute(low01, PairsHigh, low23).Store(row + 16);
        Permute(high01, PairsLow, high23).Store(row + 32);
        Permute(high01, PairsHigh, high23).Store(row + 48);
    }

    /// <summary>Three rows in m-space (row i1, column m: output 3m + i1) woven into one run of outputs, 48 per 16 columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeaveThirds(float* rows, nint rowStride, int columns, float* output)
    {
        for (int c0 = 0; c0 < columns; c0 += 16)
        {
            var r0 = Vector512.Load(rows + c0);
            var r1 = Vector512.Load(rows + rowStride + c0);
            var r2 = Vector512.Load(rows + 2 * rowStride + c0);
            float* target = output + 3 * c0;
            for (int q = 0; q < 3; q++) Permute(Permute(r0, WeaveFirst[q], r1), WeaveSecond[q], r2).Store(target + 16 * q);
        }
    }
}
