namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>
/// The shape of one convolution as the kernels see it: one image's input plane stack (C, H, W), the filter's
/// (K, C, kh, kw), the output (K, OH, OW), stride and padding.
/// </summary>
internal readonly record struct ConvShape(int C, int H, int W, int K, int KH, int KW, int OH, int OW,
    int StrideH, int StrideW, int PadH, int PadW)
{
    /// <summary>Rows of the lowered matrix: one per (channel, kernel row, kernel column).</summary>
    public int Patch => C * KH * KW;

    public int InputPlane => H * W;
    public int OutputPlane => OH * OW;

    /// <summary>A 1x1, stride-1, unpadded convolution: the input already is the lowered matrix.</summary>
    public bool IsPointwise => KH == 1 && KW == 1 && StrideH == 1 && StrideW == 1 && PadH == 0 && PadW == 0;
}

/// <summary>
/// Lowering between an image and the patch matrix of a convolution (im2col) and back (col2im), for a range of
/// output positions at a time so that the lowered block stays in cache.
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>
    /// col[r, j] = x[c, oh·sh − ph + i, ow·sw − pw + jj] for r = (c, i, jj) and output position p0 + j = (oh, ow),
    /// j in [0, count); zero where the window is over the padding. col has row stride <paramref name="count"/>.
    /// </summary>
    public static void Lower(in ConvShape s, float* x, int p0, int count, float* col)
    {
        int row = 0;
        for (int c = 0; c < s.C; c++)
            for (int i = 0; i < s.KH; i++)
                for (int jj = 0; jj < s.KW; jj++, row++)
                    LowerRow(s, x + (long)c * s.InputPlane, i, jj, p0, count, col + (long)row * count);
    }

    private static void LowerRow(in ConvShape s, float* plane, int i, int jj, int p0, int count, float* dst)
    {
        int p = p0, end = p0 + count;
        while (p < end)
        {
            int oh = p / s.OW, ow = p % s.OW;
            int segment = Math.Min(s.OW - ow, end - p);
            int ih = oh * s.StrideH - s.PadH + i;
            if ((uint)ih >= (uint)s.H)
            {
                new Span<float>(dst, segment).Clear();
            }
            else
            {
                float* src = plane + (long)ih * s.W;
                // Output columns ow..ow+segment read input columns iw = ow·sw − pw + jj; keep those inside [0, W).
                int iw0 = ow * s.StrideW - s.PadW + jj;
                int lo = iw0 >= 0 ? 0 : Math.Min(segment, (-iw0 + s.StrideW - 1) / s.StrideW);
                int hi = segment;
                int lastIw = iw0 + (segment - 1) * s.StrideW;
                if (lastIw >= s.W) hi = Math.Max(lo, (s.W - 1 - iw0) / s.StrideW + 1);
                if (iw0 + (hi - 1) * s.StrideW >= s.W) hi = lo;
                for (int t = 0; t < lo; t++) dst[t] = 0f;
                if (s.StrideW == 1)
                {
                    new ReadOnlySpan<float>(src + iw0 + lo, hi - lo).CopyTo(new Span<float>(dst + lo, hi - lo));
                }
                else
                {
                    float* from = src + iw0;
                    for (int t = lo; t < hi; t++) dst[t] = from[t * s.StrideW];
                }
                for (int t = hi; t < segment; t++) dst[t] = 0f;
            }
            dst += segment;
            p += segment;
        }
    }

    /// <summary>The adjoint of <see cref="Lower"/>: dx[c, ih, iw] += dcol[r, j] for every (r, j) whose window cell lies inside the image.</summary>
    public static void Raise(in ConvShape s, float* dcol, int p0, int count, float* dx)
    {
        int row = 0;
        for (int c = 0; c < s.C; c++)
            for (int i = 0; i < s.KH; i++)
                for (int jj = 0; jj < s.KW; jj++, row++)
                    RaiseRow(s, dx + (long)c * s.InputPlane, i, jj, p0, count, dcol + (long)row * count);
    }

    private static void RaiseRow(in ConvShape s, float* plane, int i, int jj, int p0, int count, float* src)
    {
        int p = p0, end = p0 + count;
        while (p < end)
        {
            int oh = p / s.OW, ow = p % s.OW;
            int segment = Math.Min(s.OW - ow, end - p);
            int ih = oh * s.StrideH - s.PadH + i;
            if ((uint)ih < (uint)s.H)
            {
                float* dst = plane + (long)ih * s.W;
                int iw0 = ow * s.StrideW - s.PadW + jj;
                for (int t = 0; t < segment; t++)
                {
                    int iw = iw0 + t * s.StrideW;
                    if ((uint)iw < (uint)s.W) dst[iw] += src[t];
                }
            }
            src += segment;
            p += segment;
        }
    }
}
