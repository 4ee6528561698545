using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// Lowering between an image and the patch matrix of a convolution (im2col) and back (col2im), for a range of
/// output positions at a time so that the lowered block stays in cache.
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>
    /// Row r = (c, i, jj) of the lowered matrix of a whole batch, for columns q in [q0, q0+count) where
    /// q = n·OH·OW + (oh·OW + ow): dst[t] = x[n, c, oh·sh − ph + i, ow·sw − pw + jj], zero over the padding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LowerBatchRow(SimdLevel level, in ConvShape s, float* x, int r, int q0, int count, float* dst)
    {
        int kernel = s.KH * s.KW;
        int c = r / kernel, i = r % kernel / s.KW, jj = r % s.KW;
        int plane = s.OutputPlane;
        while (count > 0)
        {
            int n = q0 / plane, p = q0 - n * plane;
            int run = Math.Min(plane - p, count);
            LowerRow(level, s, x + ((long)n * s.C + c) * s.InputPlane, i, jj, p, run, dst);
            dst += run;
            q0 += run;
            count -= run;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LowerRow(SimdLevel level, in ConvShape s, float* plane, int i, int jj, int p0, int count, float* dst)
    {
        int outW = s.OW, height = s.H, width = s.W, stride = s.StrideW, strideH = s.StrideH;
        // Walk output rows from (oh, ow) without dividing per segment: divisions cost more than short segments.
        int oh = p0 / outW, ow = p0 - oh * outW;
        int ih = oh * strideH - s.PadH + i;
        int iwStart = jj - s.PadW;
        bool vectorGather = CanGather(level, stride);
        while (count > 0)
        {
            int segment = Math.Min(outW - ow, count);
            if ((uint)ih >= (uint)height)
            {
                ZeroFill(dst, segment);
            }
            else
            {
                SampleRow(plane + (long)ih * width, width, ow * stride + iwStart, stride, segment, dst, vectorGather);
            }
            dst += segment;
            count -= segment;
            ow = 0;
            ih += strideH;
        }
    }

    /// <summary>
    /// dst[t] = row[iw0 + t·stride] for t in [0, count), 0 where that column is outside [0, width): one lowered
    /// segment, or one phase of a row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void SampleRow(float* row, int width, int iw0, int stride, int count, float* dst, bool vectorGather)
    {
        if (stride == 1)
        {
            int lo = Math.Clamp(-iw0, 0, count);
            int hi = Math.Clamp(width - iw0, lo, count);
            ZeroFill(dst, lo);
            VectorMath.Copy(row + iw0 + lo, dst + lo, hi - lo);
            ZeroFill(dst + hi, count - hi);
        }
        else
        {
            var (lo, hi) = InsideRow(iw0, stride, width, count);
            ZeroFill(dst, lo);
            float* from = row + iw0;
            int t = lo;
            if (vectorGather)
            {
                // A vector step at t writes dst[t .. t+16) and reads from[t·stride .. (t+16)·stride): it may
                // start while both stay inside the valid part and the input row.
                int vectorEnd = Math.Min(hi - 16, (width - iw0) / stride - 16) + 1;
                t = GatherStrided(from, stride, t, vectorEnd, dst);
            }
            for (; t < hi; t++) dst[t] = from[t * stride];
            ZeroFill(dst + hi, count - hi);
        }
    }

    /// <summary>Whether <see cref="SampleRow"/> may use whole-vector gathers for this stride at a SIMD level.</summary>
    public static bool CanGather(SimdLevel level, int stride) => level == SimdLevel.Avx512 && (stride == 2 || stride == 4);

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ZeroFill(float* dst, int n)
    {
        for (int t = 0; t < n; t++) dst[t] = 0f;
    }

    /// <summary>
    /// The positions t in [0, segment) whose input column iw0 + t·stride lies inside [0, width): a range [lo, hi)
    /// (empty when lo = hi).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int Lo, int Hi) InsideRow(int iw0, int stride, int width, int segment)
    {
        int lo = iw0 >= 0 ? 0 : Math.Min(segment, (-iw0 + stride - 1) / stride);
        int hi = segment;
        if (iw0 + (segment - 1) * stride >= width) hi = Math.Max(lo, (width - 1 - iw0) / stride + 1);
        if (hi > lo && iw0 + (hi - 1) * stride >= width) hi = lo;
        return (lo, hi);
    }

    private static readonly Vector512<int> EverySecond = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly Vector512<int> EveryFourth = Vector512.Create(0, 4, 8, 12, 16, 20, 24, 28, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>dst[t] = from[t·stride] for 16 values at a time, with stride 2 or 4, by permuting whole vectors, for
    /// every start t below <paramref name="end"/>; returns where it stopped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int GatherStrided(float* from, int stride, int t, int end, float* dst)
    {
        if (stride == 2)
        {
            for (; t < end; t += 16)
            {
                float* f = from + t * 2;
                Avx512F.PermuteVar16x32x2(Vector512.Load(f), EverySecond, Vector512.Load(f + 16)).Store(dst + t);
            }
        }
        else
        {
            for (; t < end; t += 16)
            {
                float* f = from + t * 4;
                var low = Avx512F.PermuteVar16x32x2(Vector512.Load(f), EveryFourth, Vector512.Load(f + 16));
                var high = Avx512F.PermuteVar16x32x2(Vector512.Load(f + 32), EveryFourth, Vector512.Load(f + 48));
                Avx512F.InsertVector256(low, high.GetLower(), 1).Store(dst + t);
            }
        }
        return t;
    }

    private static readonly Vector512<int> SpreadBySecond = Vector512.Create(0, 16, 1, 16, 2, 16, 3, 16, 4, 16, 5, 16, 6, 16, 7, 16);
    private static readonly Vector512<int> SpreadByFourth = Vector512.Create(0, 16, 16, 16, 1, 16, 16, 16, 2, 16, 16, 16, 3, 16, 16, 16);

    /// <summary>to[t·stride] += from[t] for 16 values at a time (stride 2 or 4): the values are spread over whole
    /// vectors with zeros between them and added in place, for every start t below <paramref name="end"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ScatterAddStrided(float* from, int stride, int t, int end, float* to)
    {
        var zero = Vector512<float>.Zero;
        if (stride == 2)
        {
            var upper = SpreadBySecond + Vector512.Create(8, 0, 8, 0, 8, 0, 8, 0, 8, 0, 8, 0, 8, 0, 8, 0);
            for (; t < end; t += 16)
            {
                var v = Vector512.Load(from + t);
                float* d = to + t * 2;
                (Vector512.Load(d) + Avx512F.PermuteVar16x32x2(v, SpreadBySecond, zero)).Store(d);
                (Vector512.Load(d + 16) + Avx512F.PermuteVar16x32x2(v, upper, zero)).Store(d + 16);
            }
        }
        else
        {
            var step = Vector512.Create(4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0);
            var i0 = SpreadByFourth;
            var i1 = i0 + step;
            var i2 = i1 + step;
            var i3 = i2 + step;
            for (; t < end; t += 16)
            {
                var v = Vector512.Load(from + t);
                float* d = to + t * 4;
                (Vector512.Load(d) + Avx512F.PermuteVar16x32x2(v, i0, zero)).Store(d);
                (Vector512.Load(d + 16) + Avx512F.PermuteVar16x32x2(v, i1, zero)).Store(d + 16);
                (Vector512.Load(d + 32) + Avx512F.PermuteVar16x32x2(v, i2, zero)).Store(d + 32);
                (Vector512.Load(d + 48) + Avx512F.PermuteVar16x32x2(v, i3, zero)).Store(d + 48);
            }
        }
        return t;
    }

    /// <summary>
    /// The adjoint of lowering for one image: dx[c, ih, iw] += dcol[r, t] for output positions p0 + t, t in
    /// [0, count), of every (r, t) whose window cell lies inside the image; dcol rows are <paramref name="ld"/> apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Raise(SimdLevel level, in ConvShape s, float* dcol, nint ld, int p0, int count, float* dx)
    {
        int row = 0;
        for (int c = 0; c < s.C; c++)
            for (int i = 0; i < s.KH; i++)
                for (int jj = 0; jj < s.KW; jj++, row++)
                    RaiseRow(level, s, dx + (long)c * s.InputPlane, i, jj, p0, count, dcol + row * ld);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RaiseRow(SimdLevel level, in ConvShape s, float* plane, int i, int jj, int p0, int count, float* src)
    {
        int p = p0, end = p0 + count;
        while (p < end)
        {
            int oh = p / s.OW, ow = p % s.OW;
            int segment = Math.Min(s.OW - ow, end - p);
            int ih = oh * s.StrideH - s.PadH + i;
            if ((uint)ih < (uint)s.H)
            {
                int stride = s.StrideW;
                int iw0 = ow * stride - s.PadW + jj;
                var (lo, hi) = InsideRow(iw0, stride, s.W, segment);
                float* to = plane + (long)ih * s.W + iw0;
                if (stride == 1)
                {
                    if (hi > lo) VectorMath.AddInPlace(level, src + lo, to + lo, hi - lo);
                }
                else
                {
                    int t = lo;
                    int vectorEnd = Math.Min(hi - 16, (s.W - iw0) / stride - 16) + 1;
                    if (CanGather(level, stride))
                        t = ScatterAddStrided(src, stride, t, vectorEnd, to);
                    for (; t < hi; t++) to[t * stride] += src[t];
                }
            }
            src += segment;
            p += segment;
        }
    }
}
