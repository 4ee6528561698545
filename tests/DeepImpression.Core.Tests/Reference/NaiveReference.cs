namespace DeepImpression.Core.Tests.Reference;

/// <summary>
/// Direct, nested-loop, double-precision definitions of the backend primitives, written from the math and not from
/// the fast code: the yardstick every CPU (and CUDA) kernel is measured against. Arrays are row-major, NCHW.
/// </summary>
public static class NaiveReference
{
    // ---- BLAS ---------------------------------------------------------------------------------------------------

    /// <summary>alpha·op(A)·op(B) + beta·C, with A stored (M,K) or, transposed, (K,M); likewise B.</summary>
    public static double[] Gemm(bool transposeA, bool transposeB, int m, int n, int k, double alpha, float[] a, float[] b,
        double beta, float[]? c)
    {
        var result = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = transposeA ? a[p * m + i] : a[i * k + p];
                    double bv = transposeB ? b[j * k + p] : b[p * n + j];
                    s += av * bv;
                }
                result[i * n + j] = alpha * s + (beta == 0 || c is null ? 0 : beta * c[i * n + j]);
            }
        return result;
    }

    // ---- Convolution --------------------------------------------------------------------------------------------

    public readonly record struct ConvCase(int N, int C, int H, int W, int K, int KH, int KW, int SH, int SW, int PH, int PW)
    {
        public int OH => (H + 2 * PH - KH) / SH + 1;
        public int OW => (W + 2 * PW - KW) / SW + 1;
        public int InputCount => N * C * H * W;
        public int FilterCount => K * C * KH * KW;
        public int OutputCount => N * K * OH * OW;

        public override string ToString() =>
            $"x({N},{C},{H},{W}) w({K},{C},{KH},{KW}) stride({SH},{SW}) pad({PH},{PW})";
    }

    /// <summary>y[n,k,oh,ow] = Σ_c,i,j x[n,c,oh·sh−ph+i, ow·sw−pw+j]·w[k,c,i,j] (+ bias[k]); cells outside x are 0.</summary>
    public static double[] ConvForward(ConvCase s, float[] x, float[] w, float[]? bias)
    {
        var y = new double[s.OutputCount];
        for (int n = 0; n < s.N; n++)
            for (int k = 0; k < s.K; k++)
                for (int oh = 0; oh < s.OH; oh++)
                    for (int ow = 0; ow < s.OW; ow++)
                    {
                        double sum = bias is null ? 0 : bias[k];
                        for (int c = 0; c < s.C; c++)
                            for (int i = 0; i < s.KH; i++)
                                for (int j = 0; j < s.KW; j++)
                                {
                                    int ih = oh * s.SH - s.PH + i, iw = ow * s.SW - s.PW + j;
                                    if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                                    sum += (double)x[((n * s.C + c) * s.H + ih) * s.W + iw] * w[((k * s.C + c) * s.KH + i) * s.KW + j];
                                }
                        y[((n * s.K + k) * s.OH + oh) * s.OW + ow] = sum;
                    }
        return y;
    }

    /// <summary>dx[n,c,ih,iw] = Σ over every (k, oh, ow, i, j) that read x[n,c,ih,iw] of w[k,c,i,j]·dy[n,k,oh,ow].</summary>
    public static double[] ConvBackwardData(ConvCase s, float[] w, float[] dy)
    {
        var dx = new double[s.InputCount];
        for (int n = 0; n < s.N; n++)
            for (int c = 0; c < s.C; c++)
                for (int ih = 0; ih < s.H; ih++)
                    for (int iw = 0; iw < s.W; iw++)
                    {
                        double sum = 0;
                        for (int k = 0; k < s.K; k++)
                            for (int i = 0; i < s.KH; i++)
                                for (int j = 0; j < s.KW; j++)
                                {
                                    // x[ih] is read by output oh when oh·sh − ph + i = ih.
                                    int th = ih + s.PH - i, tw = iw + s.PW - j;
                                    if (th < 0 || tw < 0 || th % s.SH != 0 || tw % s.SW != 0) continue;
                                    int oh = th / s.SH, ow = tw / s.SW;
                                    if (oh >= s.OH || ow >= s.OW) continue;
                                    sum += (double)w[((k * s.C + c) * s.KH + i) * s.KW + j] * dy[((n * s.K + k) * s.OH + oh) * s.OW + ow];
                                }
                        dx[((n * s.C + c) * s.H + ih) * s.W + iw] = sum;
                    }
        return dx;
    }

    /// <summary>dw[k,c,i,j] = Σ_n,oh,ow dy[n,k,oh,ow]·x[n,c,oh·sh−ph+i, ow·sw−pw+j].</summary>
    public static double[] ConvBackwardFilter(ConvCase s, float[] x, float[] dy)
    {
        var dw = new double[s.FilterCount];
        for (int k = 0; k < s.K; k++)
            for (int c = 0; c < s.C; c++)
                for (int i = 0; i < s.KH; i++)
                    for (int j = 0; j < s.KW; j++)
                    {
                        double sum = 0;
                        for (int n = 0; n < s.N; n++)
                            for (int oh = 0; oh < s.OH; oh++)
                                for (int ow = 0; ow < s.OW; ow++)
                                {
                                    int ih = oh * s.SH - s.PH + i, iw = ow * s.SW - s.PW + j;
                                    if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                                    sum += (double)dy[((n * s.K + k) * s.OH + oh) * s.OW + ow] * x[((n * s.C + c) * s.H + ih) * s.W + iw];
                                }
                        dw[((k * s.C + c) * s.KH + i) * s.KW + j] = sum;
                    }
        return dw;
    }

    /// <summary>db[k] = Σ_n,h,w dy[n,k,h,w] for dy of shape (n, k, inner).</summary>
    public static double[] BiasGradient(float[] dy, int n, int k, int inner)
    {
        var db = new double[k];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < k; b++)
                for (int i = 0; i < inner; i++) db[b] += dy[(a * k + b) * inner + i];
        return db;
    }

    // ---- Batch normalization ------------------------------------------------------------------------------------

    public sealed record BatchNormResult(double[] Y, double[] Mean, double[] InvStd, double[] RunningMean, double[] RunningVariance);

    /// <summary>Training-mode batch norm over (N, C, inner): biased variance to normalize, unbiased for the running average.</summary>
    public static BatchNormResult BatchNormTraining(float[] x, int n, int c, int inner, float[] gamma, float[] beta, double eps,
        double factor, double[] runningMean, double[] runningVariance)
    {
        int m = n * inner;
        var mean = new double[c];
        var invStd = new double[c];
        var rm = (double[])runningMean.Clone();
        var rv = (double[])runningVariance.Clone();
        var y = new double[x.Length];
        for (int ch = 0; ch < c; ch++)
        {
            double s = 0;
            for (int a = 0; a < n; a++) for (int i = 0; i < inner; i++) s += x[(a * c + ch) * inner + i];
            double mu = s / m;
            double q = 0;
            for (int a = 0; a < n; a++) for (int i = 0; i < inner; i++) { double d = x[(a * c + ch) * inner + i] - mu; q += d * d; }
            double variance = q / m;
            mean[ch] = mu;
            invStd[ch] = 1 / Math.Sqrt(variance + eps);
            for (int a = 0; a < n; a++)
                for (int i = 0; i < inner; i++)
                {
                    int at = (a * c + ch) * inner + i;
                    y[at] = gamma[ch] * (x[at] - mu) * invStd[ch] + beta[ch];
                }
            rm[ch] = (1 - factor) * rm[ch] + factor * mu;
            rv[ch] = (1 - factor) * rv[ch] + factor * variance * m / (m - 1);
        }
        return new BatchNormResult(y, mean, invStd, rm, rv);
    }

    public static double[] BatchNormInference(float[] x, int n, int c, int inner, float[] gamma, float[] beta, float[] mean,
        float[] variance, double eps)
    {
        var y = new double[x.Length];
        for (int a = 0; a < n; a++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < inner; i++)
                {
                    int at = (a * c + ch) * inner + i;
                    y[at] = gamma[ch] * (x[at] - mean[ch]) / Math.Sqrt(variance[ch] + eps) + beta[ch];
                }
        return y;
    }

    /// <summary>
    /// Gradients of training-mode batch norm, from the chain rule through x̂ = (x − μ)/σ with μ and σ depending on x:
    /// dx = γ/σ·(dy − mean(dy) − x̂·mean(dy·x̂)), dγ = Σ dy·x̂, dβ = Σ dy.
    /// </summary>
    public static (double[] Dx, double[] DGamma, double[] DBeta) BatchNormBackward(float[] x, float[] dy, int n, int c, int inner,
        float[] gamma, double eps)
    {
        int m = n * inner;
        var dx = new double[x.Length];
        var dGamma = new double[c];
        var dBeta = new double[c];
        for (int ch = 0; ch < c; ch++)
        {
            double mu = 0;
            for (int a = 0; a < n; a++) for (int i = 0; i < inner; i++) mu += x[(a * c + ch) * inner + i];
            mu /= m;
            double variance = 0;
            for (int a = 0; a < n; a++) for (int i = 0; i < inner; i++) { double d = x[(a * c + ch) * inner + i] - mu; variance += d * d; }
            variance /= m;
            double sigma = Math.Sqrt(variance + eps);
            double meanDy = 0, meanDyXhat = 0;
            for (int a = 0; a < n; a++)
                for (int i = 0; i < inner; i++)
                {
                    int at = (a * c + ch) * inner + i;
                    double xhat = (x[at] - mu) / sigma;
                    meanDy += dy[at];
                    meanDyXhat += dy[at] * xhat;
                }
            dBeta[ch] = meanDy;
            dGamma[ch] = meanDyXhat;
            meanDy /= m;
            meanDyXhat /= m;
            for (int a = 0; a < n; a++)
                for (int i = 0; i < inner; i++)
                {
                    int at = (a * c + ch) * inner + i;
                    double xhat = (x[at] - mu) / sigma;
                    dx[at] = gamma[ch] / sigma * (dy[at] - meanDy - xhat * meanDyXhat);
                }
        }
        return (dx, dGamma, dBeta);
    }

    // ---- Pooling ------------------------------------------------------------------------------------------------

    public readonly record struct PoolCase(int N, int C, int H, int W, int KH, int KW, int SH, int SW, int PH, int PW, bool CoverAll)
    {
        public int OH => Out(H, KH, SH, PH);
        public int OW => Out(W, KW, SW, PW);

        private int Out(int size, int k, int s, int p)
        {
            // Chainer's get_conv_outsize: cover_all adds stride − 1 before dividing.
            return CoverAll ? (size + 2 * p - k + s - 1) / s + 1 : (size + 2 * p - k) / s + 1;
        }

        public override string ToString() =>
            $"x({N},{C},{H},{W}) kernel({KH},{KW}) stride({SH},{SW}) pad({PH},{PW}){(CoverAll ? " cover-all" : "")}";
    }

    /// <summary>Flat indices of the window's cells that lie inside the image, in row-major window order.</summary>
    private static List<int> WindowCells(PoolCase s, int plane, int oh, int ow)
    {
        var cells = new List<int>();
        for (int i = 0; i < s.KH; i++)
            for (int j = 0; j < s.KW; j++)
            {
                int ih = oh * s.SH - s.PH + i, iw = ow * s.SW - s.PW + j;
                if (ih >= 0 && ih < s.H && iw >= 0 && iw < s.W) cells.Add((plane * s.H + ih) * s.W + iw);
            }
        return cells;
    }

    /// <summary>Window cells that lie inside the padded extent [−p, size + p) on both axes (what an average divides by).</summary>
    private static int PaddedCells(PoolCase s, int oh, int ow)
    {
        int count = 0;
        for (int i = 0; i < s.KH; i++)
            for (int j = 0; j < s.KW; j++)
            {
                int ih = oh * s.SH - s.PH + i, iw = ow * s.SW - s.PW + j;
                if (ih >= -s.PH && ih < s.H + s.PH && iw >= -s.PW && iw < s.W + s.PW) count++;
            }
        return count;
    }

    /// <summary>For each output, the input index that wins the max (first in window order on ties); −1 for a window
    /// with no input cell (possible only with cover-all), whose output is defined as 0.</summary>
    public static int[] MaxPoolArgMax(PoolCase s, float[] x)
    {
        var arg = new int[s.N * s.C * s.OH * s.OW];
        for (int plane = 0; plane < s.N * s.C; plane++)
            for (int oh = 0; oh < s.OH; oh++)
                for (int ow = 0; ow < s.OW; ow++)
                {
                    int best = -1;
                    foreach (var cell in WindowCells(s, plane, oh, ow))
                        if (best < 0 || x[cell] > x[best]) best = cell;
                    arg[(plane * s.OH + oh) * s.OW + ow] = best;
                }
        return arg;
    }

    public static double[] MaxPoolForward(PoolCase s, float[] x) =>
        MaxPoolArgMax(s, x).Select(i => i < 0 ? 0.0 : x[i]).ToArray();

    public static double[] MaxPoolBackward(PoolCase s, float[] x, float[] dy)
    {
        var dx = new double[x.Length];
        var arg = MaxPoolArgMax(s, x);
        for (int o = 0; o < arg.Length; o++)
            if (arg[o] >= 0) dx[arg[o]] += dy[o];
        return dx;
    }

    public static double[] AveragePoolForward(PoolCase s, float[] x)
    {
        var y = new double[s.N * s.C * s.OH * s.OW];
        for (int plane = 0; plane < s.N * s.C; plane++)
            for (int oh = 0; oh < s.OH; oh++)
                for (int ow = 0; ow < s.OW; ow++)
                {
                    int cells = PaddedCells(s, oh, ow);
                    y[(plane * s.OH + oh) * s.OW + ow] = cells == 0 ? 0 : WindowCells(s, plane, oh, ow).Sum(i => (double)x[i]) / cells;
                }
        return y;
    }

    public static double[] AveragePoolBackward(PoolCase s, float[] dy)
    {
        var dx = new double[s.N * s.C * s.H * s.W];
        for (int plane = 0; plane < s.N * s.C; plane++)
            for (int oh = 0; oh < s.OH; oh++)
                for (int ow = 0; ow < s.OW; ow++)
                {
                    int cells = PaddedCells(s, oh, ow);
                    if (cells == 0) continue;
                    double share = dy[(plane * s.OH + oh) * s.OW + ow] / cells;
                    foreach (var cell in WindowCells(s, plane, oh, ow)) dx[cell] += share;
                }
        return dx;
    }

    // ---- Reductions, loss -------------------------------------------------------------------------------------

    /// <summary>Σ along one axis of a tensor with the given dimensions.</summary>
    public static double[] SumAxis(float[] x, int[] dims, int axis)
    {
        int outer = dims.Take(axis).Aggregate(1, (a, b) => a * b);
        int inner = dims.Skip(axis + 1).Aggregate(1, (a, b) => a * b);
        int length = dims[axis];
        var y = new double[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int l = 0; l < length; l++)
                for (int i = 0; i < inner; i++) y[o * inner + i] += x[(o * length + l) * inner + i];
        return y;
    }

    public static double MeanAbsoluteError(float[] p, float[] t) => p.Zip(t, (a, b) => Math.Abs((double)a - b)).Average();
}
