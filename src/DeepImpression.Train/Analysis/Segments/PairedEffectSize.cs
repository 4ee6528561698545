using System.Globalization;

namespace DeepImpression.Train.Analysis.Segments;

/// <summary>
/// Cohen's d for paired differences (often written d_z): the n differences x_i = after_i - before_i have mean m and
/// standard deviation s (denominator n - 1); <c>d = m / s</c>. Its confidence interval is exact under normally
/// distributed differences: <c>t = d sqrt(n)</c> follows a noncentral t with n - 1 degrees of freedom and
/// noncentrality <c>delta = d_population sqrt(n)</c>, so the interval is <c>[delta_low, delta_high] / sqrt(n)</c> where
/// delta_low puts t at the (1 + c)/2 quantile and delta_high at the (1 - c)/2 quantile (Steiger and Fouladi 1997;
/// Cumming and Finch 2001). <see cref="P"/> is the two-sided p of the paired t test (delta = 0). With fewer than
/// two differences, or differences that do not vary (beyond rounding), d is undefined (NaN).
/// </summary>
public sealed record PairedEffectSize(int N, double MeanDifference, double SdDifference, double D, double CiLow, double CiHigh, double P, double Confidence)
{
    /// <summary>The effect size of <paramref name="differences"/> with a <paramref name="confidence"/> interval.</summary>
    public static PairedEffectSize Of(IReadOnlyList<double> differences, double confidence = 0.95)
    {
        if (!(confidence is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(confidence), "confidence must be in (0, 1).");
        int n = differences.Count;
        double mean = n > 0 ? differences.Average() : double.NaN;
        double sd = n > 1 ? Math.Sqrt(differences.Sum(x => (x - mean) * (x - mean)) / (n - 1)) : double.NaN;
        // Differences that vary only by rounding (float32 predictions) do not vary.
        if (n < 2 || !(sd > 1e-12 * Math.Abs(mean))) return new PairedEffectSize(n, mean, sd, double.NaN, double.NaN, double.NaN, double.NaN, confidence);

        double d = mean / sd, root = Math.Sqrt(n), t = d * root, df = n - 1;
        double low = NoncentralT.NoncentralityFor(t, df, (1 + confidence) / 2) / root;
        double high = NoncentralT.NoncentralityFor(t, df, (1 - confidence) / 2) / root;
        double below = NoncentralT.Cdf(t, df, 0);
        double p = Math.Min(1, 2 * Math.Min(below, 1 - below));
        return new PairedEffectSize(n, mean, sd, d, low, high, p, confidence);
    }

    /// <summary>The differences <c>after - before</c>, pair by pair.</summary>
    public static PairedEffectSize Of(IReadOnlyList<double> before, IReadOnlyList<double> after, double confidence = 0.95)
    {
        if (before.Count != after.Count) throw new ArgumentException("before and after must pair up.");
        return Of([.. before.Zip(after, (b, a) => a - b)], confidence);
    }

    /// <summary>The effect size, its confidence interval and the sample size, for tables and logs.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"d = {D:0.000} [{CiLow:0.000}, {CiHigh:0.000}] ({Confidence:P0} CI), n = {N}, mean change {MeanDifference:0.0000}");
}
