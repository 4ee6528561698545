using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// The reference algorithm of every direction: the definitions as plain nested loops, each output summed in double
/// and rounded once. Slow, and meant to be: it is what every other algorithm is checked against, in the tests and in
/// place (<see cref="ConvolutionOverride.Reference"/>, <c>DEEPIMPRESSION_CONV_ALGO=reference</c>). Outputs are shared
/// out over the cores whole, so the numbers do not depend on the cores either.
/// </summary>
internal static unsafe class ReferenceConvolution
{
    /// <summary>y[n,k,oh,ow] = epilogue(Σ_c,i,j x[n,c,oh·sh−ph+i, ow·sw−pw+j]·w[k,c,i,j]); cells outside x are 0.</summary>
    public static void Forward(CpuContext context, in ConvShape s, int n, float* x, float* w, ConvolutionEpilogue epilogue, float* y) =>
        context.Workers.For(n * s.K, new ForwardJob(context.Isa, s, x, w, epilogue, y));

    /// <summary>dx[n,c,ih,iw] = Σ over every (k, oh, ow, i, j) that read x[n,c,ih,iw] of w[k,c,i,j]·dy[n,k,oh,ow].</summary>
    public static void BackwardData(CpuContext context, in ConvShape s, int n, float* w, float* dy, float* dx) =>
        context.Workers.For(n * s.C, new DataJob(s, w, dy, dx));

    /// <summary>dw[k,c,i,j] = Σ_n,oh,ow x[n,c,oh·sh−ph+i, ow·sw−pw+j]·dy[n,k,oh,ow].</summary>
    public static void BackwardFilter(CpuContext context, in ConvShape s, int n, float* x, float* dy, float* dw) =>
        context.Workers.For(s.K * s.C, new FilterJob(s, n, x, dy, dw));

    private sealed class ForwardJob(SimdLevel level, ConvShape s, float* x, float* w, ConvolutionEpilogue epilogue, float* y) : IParallelBody
    {
        public void Execute(int index, int worker)
        {
            int image = index / s.K, k = index % s.K;
            float* plane = y + (long)index * s.OutputPlane;
            for (int oh = 0; oh < s.OH; oh++)
                for (int ow = 0; ow < s.OW; ow++)
                {
                    double sum = 0;
                    for (int c = 0; c < s.C; c++)
                        for (int i = 0; i < s.KH; i++)
                            for (int j = 0; j < s.KW; j++)
                            {
                                int ih = oh * s.StrideH - s.PadH + i, iw = ow * s.StrideW - s.PadW + j;
                                if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                                sum += (double)x[(((long)image * s.C + c) * s.H + ih) * s.W + iw] * w[(((long)k * s.C + c) * s.KH + i) * s.KW + j];
                            }
                    plane[oh * s.OW + ow] = (float)sum;
                }
            epilogue.Store(level, plane, plane, s.OutputPlane, k);
        }
    }

    private sealed class DataJob(ConvShape s, float* w, float* dy, float* dx) : IParallelBody
    {
        public void Execute(int index, int worker)
        {
            int image = index / s.C, c = index % s.C;
            for (int ih = 0; ih < s.H; ih++)
                for (int iw = 0; iw < s.W; iw++)
                {
                    double sum = 0;
                    for (int k = 0; k < s.K; k++)
                        for (int i = 0; i < s.KH; i++)
                        {
                            int rows = ih + s.PadH - i;
                            if (rows < 0 || rows % s.StrideH != 0 || rows / s.StrideH >= s.OH) continue;
                            int oh = rows / s.StrideH;
                            for (int j = 0; j < s.KW; j++)
                            {
                                int cols = iw + s.PadW - j;
                                if (cols < 0 || cols % s.StrideW != 0 || cols / s.StrideW >= s.OW) continue;
                                int ow = cols / s.StrideW;
                                sum += (double)w[(((long)k * s.C + c) * s.KH + i) * s.KW + j] * dy[(((long)image * s.K + k) * s.OH + oh) * s.OW + ow];
                            }
                        }
                    dx[((long)index * s.H + ih) * s.W + iw] = (float)sum;
                }
        }
    }

    private sealed class FilterJob(ConvShape s, int n, float* x, float* dy, float* dw) : IParallelBody
    {
        public void Execute(int index, int worker)
        {
            int k = index / s.C, c = index % s.C;
            for (int i = 0; i < s.KH; i++)
                for (int j = 0; j < s.KW; j++)
                {
                    double sum = 0;
                    for (int image = 0; image < n; image++)
                        for (int oh = 0; oh < s.OH; oh++)
                        {
                            int ih = oh * s.StrideH - s.PadH + i;
                            if (ih < 0 || ih >= s.H) continue;
                            for (int ow = 0; ow < s.OW; ow++)
                            {
                                int iw = ow * s.StrideW - s.PadW + j;
                                if (iw < 0 || iw >= s.W) continue;
                                sum += (double)x[(((long)image * s.C + c) * s.H + ih) * s.W + iw] * dy[(((long)image * s.K + k) * s.OH + oh) * s.OW + ow];
                            }
                        }
                    dw[(((long)k * s.C + c) * s.KH + i) * s.KW + j] = (float)sum;
                }
        }
    }
}
