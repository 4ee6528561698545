namespace DeepImpression.Train.Analysis.Segments;

/// <summary>
/// The cumulative distribution of Student's t, central and noncentral, in float64, for confidence intervals of
/// effect sizes. A noncentral t with <c>df</c> degrees of freedom and noncentrality <c>delta</c> is
/// <c>(Z + delta) / S</c> with Z standard normal and S = sqrt(V / df), V chi-square with df degrees of freedom, so
/// <c>P(T &lt;= t) = E[Phi(t S - delta)]</c>: an integral over the density of S, done here with composite Simpson
/// on the range where that density is not negligible (1e-15 or more of its mass lies outside), in log space so that
/// large df neither overflow nor underflow. Accurate to about 1e-10, for every delta (the series of AS 243
/// underflows beyond |delta| of about 37).
/// </summary>
internal static class NoncentralT
{
    private const int MinimumIntervals = 4096;

    /// <summary>P(T &lt;= <paramref name="t"/>) for <paramref name="df"/> degrees of freedom and noncentrality
    /// <paramref name="delta"/> (0: Student's t).</summary>
    public static double Cdf(double t, double df, double delta)
    {
        if (!(df > 0)) throw new ArgumentOutOfRangeException(nameof(df), "degrees of freedom must be positive.");
        if (double.IsNaN(t) || double.IsNaN(delta)) return double.NaN;
        if (double.IsPositiveInfinity(t)) return 1;
        if (double.IsNegativeInfinity(t)) return 0;

        // S = sqrt(V/df): mean about 1, spread about 1/sqrt(2 df); its right tail is long when df is small.
        double spread = 1 / Math.Sqrt(2 * df);
        double low = Math.Max(0, 1 - 12 * spread), high = 1 + 12 * spread * (1 + 2 / Math.Sqrt(df));
        double logNorm = Math.Log(2) + 0.5 * df * Math.Log(0.5 * df) - SpecialFunctions.LogGamma(0.5 * df);
        // Enough steps that Phi(t s - delta), which rises over about 1/|t| in s, spans at least 64 of them.
        int intervals = (int)Math.Min(1 << 20, Math.Max(MinimumIntervals, 2 * Math.Ceiling(32 * (high - low) * Math.Abs(t))));
        double h = (high - low) / intervals;
        double sum = 0;
        for (int i = 0; i <= intervals; i++)
        {
            double s = low + i * h;
            double density = s > 0 ? Math.Exp(logNorm + (df - 1) * Math.Log(s) - 0.5 * df * s * s) : (df == 1 ? Math.Exp(logNorm) : 0);
            double weight = i == 0 || i == intervals ? 1 : (i % 2 == 1 ? 4 : 2);
            sum += weight * density * SpecialFunctions.NormalCdf(t * s - delta);
        }
        return Math.Clamp(sum * h / 3, 0, 1);
    }

    /// <summary>
    /// The noncentrality whose distribution puts <paramref name="probability"/> below <paramref name="t"/>:
    /// the inverse of <see cref="Cdf"/> in delta (which it decreases), by bisection to 1e-10.
    /// </summary>
    public static double NoncentralityFor(double t, double df, double probability)
    {
        if (!(probability is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(probability));
        double width = 4 + Math.Abs(t) / Math.Sqrt(df);
        double below = t - width, above = t + width;
        while (Cdf(t, df, below) < probability) { below -= width; width *= 2; }
        while (Cdf(t, df, above) > probability) { above += width; width *= 2; }
        for (int i = 0; i < 200 && above - below > 1e-10 * Math.Max(1, Math.Abs(t)); i++)
        {
            double middle = 0.5 * (below + above);
            if (Cdf(t, df, middle) > probability) below = middle;
            else above = middle;
        }
        return 0.5 * (below + above);
    }
}
