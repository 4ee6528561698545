using DeepImpression.Core.Tensors;
using DeepImpression.Core.Tests.Reference;
using static DeepImpression.Cuda.Tests.Parity.ErrorBound;

namespace DeepImpression.Cuda.Tests.Parity;

/// <summary>
/// Batch normalization (plain, with ReLU, with a residual and ReLU) against the float64 reference. Bounds per channel
/// of m = N·H·W values, for any order of summation, one pass (E[x²] − μ²) or two:
/// <list type="bullet">
/// <item>mean: |Δμ| ≤ γ_{m+1}·mean|x|;</item>
/// <item>variance: |Δσ²| ≤ γ_{m+3}·mean(x²) + 2·mean|x|·|Δμ|;</item>
/// <item>1/√(σ² + ε): relative ½·|Δσ²|/(σ² + ε) + 3u (square root, division, rounding to float);</item>
/// <item>y = γ·(x − μ)/σ + β: |γ|/σ·(|Δμ| + |x − μ|·δ) + γ_4·(|γ|/σ·(|x| + |μ|) + |β|), the last term covering an
/// implementation that folds the statistics into one scale and shift (y = a·x + b, which cancels when x ≈ μ).</item>
/// </list>
/// The epsilon is the model's 2e-5, passed to the backward as to the forward.
/// </summary>
public abstract partial class PrimitiveParityChecks
{
    private const double Epsilon = 2e-5;
    private const double Factor = 0.1;

    public static IEnumerable<TestCaseData> NormCases()
    {
        foreach (var (n, c, h, w) in new[] { (4, 6, 5, 7), (3, 8, 1, 40) })
            foreach (var mode in new[] { "plain", "relu", "add + relu" })
                yield return new TestCaseData(n, c, h, w, mode).SetArgDisplayNames($"({n},{c},{h},{w})", mode);
    }

    /// <summary>One channel's statistics as the bounds need them.</summary>
    private readonly record struct ChannelStatistics(int M, double Mean, double Variance, double MeanAbs, double MeanSquare)
    {
        public double InvStd => 1 / Math.Sqrt(Variance + Epsilon);
        public double MeanError => Gamma(M + 1) * MeanAbs;
        public double VarianceError => Gamma(M + 3) * MeanSquare + 2 * MeanAbs * MeanError;
        public double InvStdRelativeError => 0.5 * VarianceError / (Variance + Epsilon) + 3 * U;
    }

    private static ChannelStatistics[] Statistics(float[] x, int n, int c, int inner)
    {
        var result = new ChannelStatistics[c];
        int m = n * inner;
        for (int ch = 0; ch < c; ch++)
        {
            var values = Enumerable.Range(0, n).SelectMany(a => Enumerable.Range(0, inner).Select(i => (double)x[(a * c + ch) * inner + i])).ToArray();
            double mean = values.Average();
            result[ch] = new ChannelStatistics(m, mean, values.Sum(v => (v - mean) * (v - mean)) / m, values.Average(Math.Abs), values.Average(v => v * v));
        }
        return result;
    }

    [TestCaseSource(nameof(NormCases))]
    public void BatchNormForwardTraining(int n, int c, int h, int w, string mode)
    {
        int inner = h * w, count = n * c * inner;
        var x = Uniform(count, 11, -3f, 5f);
        var gamma = Uniform(c, 12, 0.5f, 1.5f);
        var beta = Uniform(c, 13);
        var runningMean = Uniform(c, 14);
        var runningVariance = Uniform(c, 15, 0.5f, 2f);
        var z = mode == "add + relu" ? Uniform(count, 17, -2f, 2f) : null;
        using var tx = On(x, n, c, h, w);
        using var tg = On(gamma, c);
        using var tb = On(beta, c);
        using var trm = On(runningMean, c);
        using var trv = On(runningVariance, c);
        using var tz = z is null ? null : On(z, n, c, h, w);
        using var ty = Output(n, c, h, w);
        using var saveMean = Output(c);
        using var saveInvStd = Output(c);
        if (mode == "plain") Backend.BatchNormForwardTraining(tx, tg, tb, ty, Factor, trm, trv, Epsilon, saveMean, saveInvStd);
        else Backend.BatchNormReluForwardTraining(tx, tz, tg, tb, ty, Factor, trm, trv, Epsilon, saveMean, saveInvStd);

        var reference = NaiveReference.BatchNormTraining(x, n, c, inner, gamma, beta, Epsilon, Factor,
            runningMean.Select(v => (double)v).ToArray(), runningVariance.Select(v => (double)v).ToArray());
        var stats = Statistics(x, n, c, inner);
        ParityAssert.Within(saveMean.ToArray(), reference.Mean, stats.Select(s => s.MeanError + U * Math.Abs(s.Mean)).ToArray(), "saved mean");
        ParityAssert.Within(saveInvStd.ToArray(), reference.InvStd, stats.Select(s => s.InvStd * s.InvStdRelativeError).ToArray(), "saved 1/sqrt(var + eps)");
        ParityAssert.Within(trm.ToArray(), reference.RunningMean,
            stats.Select((s, k) => Factor * s.MeanError + Gamma(3) * ((1 - Factor) * Math.Abs(runningMean[k]) + Factor * Math.Abs(s.Mean))).ToArray(), "running mean");
        double unbiased = (double)(n * inner) / (n * inner - 1);
        ParityAssert.Within(trv.ToArray(), reference.RunningVariance,
            stats.Select((s, k) => Factor * unbiased * s.VarianceError + Gamma(4) * ((1 - Factor) * runningVariance[k] + Factor * unbiased * s.Variance)).ToArray(),
            "running variance (unbiased)");

        var expected = new double[count];
        var bound = new double[count];
        for (int i = 0; i < count; i++)
        {
            int ch = i / inner % c;
            var s = stats[ch];
            double scale = Math.Abs(gamma[ch]) * s.InvStd, normalized = reference.Y[i];
            double error = scale * (s.MeanError + Math.Abs(x[i] - s.Mean) * s.InvStdRelativeError)
                           + Gamma(4) * (scale * (Math.Abs(x[i]) + Math.Abs(s.Mean)) + Math.Abs(beta[ch]));
            if (z is not null)
            {
                error += U * (Math.Abs(normalized) + Math.Abs(z[i]));
                normalized += z[i];
            }
            expected[i] = mode == "plain" ? normalized : Math.Max(normalized, 0);
            bound[i] = error;   // max(·, 0) moves nothing further apart
        }
        ParityAssert.Within(ty.ToArray(), expected, bound, $"training y ({mode})");
    }

    /// <summary>
    /// The backward from the same saved statistics on every device (the reference's, rounded to float), and for the
    /// ReLU forms the same y. With g = dy (gated by y &gt; 0): dβ = Σg within γ_{m+1}·Σ|g|; S = Σg·(x − μ) within
    /// γ_{m+2}·Σ|g|·(|x| + |μ|), dγ = S/σ; dx = γ/σ·(g − dβ/m − (x − μ)/σ·dγ/m) carries those errors and rounds at most
    /// six more times, of magnitudes |γ|/σ·(|g| + |dβ|/m + (|x| + |μ|)/σ·|dγ|/m). The residual's gradient is g: exact.
    /// </summary>
    [TestCaseSource(nameof(NormCases))]
    public void BatchNormBackwardFromTheSameSavedStatistics(int n, int c, int h, int w, string mode)
    {
        int inner = h * w, count = n * c * inner, m = n * inner;
        var x = Uniform(count, 11, -3f, 5f);
        var gamma = Uniform(c, 12, 0.5f, 1.5f);
        var beta = Uniform(c, 13);
        var dy = Uniform(count, 16);
        var z = mode == "add + relu" ? Uniform(count, 17, -2f, 2f) : null;
        var forward = NaiveReference.BatchNormTraining(x, n, c, inner, gamma, beta, Epsilon, Factor, new double[c], new double[c]);
        var mean = forward.Mean.Select(v => (float)v).ToArray();
        var invStd = forward.InvStd.Select(v => (float)v).ToArray();
        var y = forward.Y.Select((v, i) => (float)Math.Max(v + (z?[i] ?? 0f), 0)).ToArray();

        using var tx = On(x, n, c, h, w);
        using var tdy = On(dy, n, c, h, w);
        using var tg = On(gamma, c);
        using var tmean = On(mean, c);
        using var tinv = On(invStd, c);
        using var ty = On(y, n, c, h, w);
        using var tdx = Output(n, c, h, w);
        using var tdGamma = Output(c);
        using var tdBeta = Output(c);
        using var tdz = z is null ? null : Output(n, c, h, w);
        if (mode == "plain") Backend.BatchNormBackward(tx, tdy, tg, Epsilon, tmean, tinv, tdx, tdGamma, tdBeta);
        else Backend.BatchNormReluBackward(tx, ty, tdy, tg, Epsilon, tmean, tinv, tdx, tdz, tdGamma, tdBeta);

        var g = mode == "plain" ? dy : dy.Select((v, i) => y[i] > 0 ? v : 0f).ToArray();
        var dBeta = new double[c]; var dBetaBound = new double[c];
        var dGamma = new double[c]; var dGammaBound = new double[c];
        for (int ch = 0; ch < c; ch++)
        {
            double sum = 0, sumAbs = 0, moment = 0, momentAbs = 0;
            for (int a = 0; a < n; a++)
                for (int i = 0; i < inner; i++)
                {
                    int at = (a * c + ch) * inner + i;
                    sum += g[at];
                    sumAbs += Math.Abs(g[at]);
                    moment += g[at] * ((double)x[at] - mean[ch]);
                    momentAbs += Math.Abs(g[at]) * (Math.Abs(x[at]) + Math.Abs(mean[ch]));
                }
            dBeta[ch] = sum;
            dBetaBound[ch] = Gamma(m + 1) * sumAbs;
            dGamma[ch] = invStd[ch] * moment;
            dGammaBound[ch] = invStd[ch] * Gamma(m + 2) * momentAbs + U * Math.Abs(dGamma[ch]);
        }
        ParityAssert.Within(tdBeta.ToArray(), dBeta, dBetaBound, $"dbeta ({mode})");
        ParityAssert.Within(tdGamma.ToArray(), dGamma, dGammaBound, $"dgamma ({mode})");

        var dx = new double[count];
        var dxBound = new double[count];
        for (int i = 0; i < count; i++)
        {
            int ch = i / inner % c;
            double scale = gamma[ch] * (double)invStd[ch], centered = (double)x[i] - mean[ch];
            dx[i] = scale * (g[i] - dBeta[ch] / m - centered * invStd[ch] * dGamma[ch] / m);
            double carried = Math.Abs(scale) * (dBetaBound[ch] / m + Math.Abs(centered) * invStd[ch] * dGammaBound[ch] / m);
            double own = Gamma(6) * Math.Abs(scale) * (Math.Abs(g[i]) + Math.Abs(dBeta[ch]) / m
                                                       + (Math.Abs(x[i]) + Math.Abs(mean[ch])) * invStd[ch] * Math.Abs(dGamma[ch]) / m);
            dxBound[i] = carried + own;
        }
        ParityAssert.Within(tdx.ToArray(), dx, dxBound, $"dx ({mode})");
        if (tdz is not null) ParityAssert.Exact(tdz.ToArray(), g, "dz (the residual's gradient)");
    }

    /// <summary>y = γ·(x − μ)/√(σ² + ε) + β with given statistics: the scale rounds about three times (3u relative),
    /// and the rest as in training.</summary>
    [Test]
    public void BatchNormForwardInference()
    {
        const int n = 4, c = 6, h = 5, w = 7, inner = h * w;
        var x = Uniform(n * c * inner, 11, -3f, 5f);
        var gamma = Uniform(c, 12, 0.5f, 1.5f);
        var beta = Uniform(c, 13);
        var mean = Uniform(c, 14);
        var variance = Uniform(c, 15, 0.5f, 2f);
        using var ty = Output(n, c, h, w);
        using (var tx = On(x, n, c, h, w))
        using (var tg = On(gamma, c))
        using (var tb = On(beta, c))
        using (var tm = On(mean, c))
        using (var tv = On(variance, c))
            Backend.BatchNormForwardInference(tx, tg, tb, tm, tv, Epsilon, ty);
        var bound = x.Select((v, i) =>
        {
            int ch = i / inner % c;
            double scale = Math.Abs(gamma[ch]) / Math.Sqrt(variance[ch] + Epsilon);
            return scale * Math.Abs(v - mean[ch]) * 3 * U + Gamma(4) * (scale * (Math.Abs(v) + Math.Abs(mean[ch])) + Math.Abs(beta[ch]));
        }).ToArray();
        ParityAssert.Within(ty.ToArray(), NaiveReference.BatchNormInference(x, n, c, inner, gamma, beta, mean, variance, Epsilon), bound, "inference y");
    }
}
