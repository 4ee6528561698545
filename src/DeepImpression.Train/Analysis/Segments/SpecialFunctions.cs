namespace DeepImpression.Train.Analysis.Segments;

/// <summary>The few special functions the effect-size statistics need, in float64.</summary>
internal static class SpecialFunctions
{
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, n = 9: about 15 significant digits).</summary>
    public static double LogGamma(double x)
    {
        if (!(x > 0)) throw new ArgumentOutOfRangeException(nameof(x), "LogGamma needs x > 0.");
        if (x < 0.5) return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        x -= 1;
        double a = Lanczos[0];
        double t = x + 7.5;
        for (int i = 1; i < Lanczos.Length; i++) a += Lanczos[i] / (x + i);
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }

    /// <summary>Φ(x), the standard normal distribution function, accurate in both tails.</summary>
    public static double NormalCdf(double x) => x >= 0 ? 1 - 0.5 * Erfc(x / Math.Sqrt(2)) : 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>erfc(x) for x &gt;= 0, as the regularized upper incomplete gamma function Q(1/2, x²).</summary>
    public static double Erfc(double x)
    {
        if (x < 0) return 2 - Erfc(-x);
        double z = x * x;
        return z < 1.5 ? 1 - LowerGammaSeries(0.5, z) : UpperGammaFraction(0.5, z);
    }

    // P(a, z) by its series; converges fast for z < a + 1.
    private static double LowerGammaSeries(double a, double z)
    {
        if (z == 0) return 0;
        double term = 1 / a, sum = term;
        for (int n = 1; n < 500; n++)
        {
            term *= z / (a + n);
            sum += term;
            if (Math.Abs(term) < Math.Abs(sum) * 1e-17) break;
        }
        return sum * Math.Exp(-z + a * Math.Log(z) - LogGamma(a));
    }

    // Q(a, z) by its continued fraction (modified Lentz); converges fast for z > a + 1.
    private static double UpperGammaFraction(double a, double z)
    {
        const double Tiny = 1e-300;
        double b = z + 1 - a, c = 1 / Tiny, d = 1 / b, f = d;
        for (int n = 1; n < 500; n++)
        {
            double an = -n * (n - a);
            b += 2;
            d = an * d + b;
            if (Math.Abs(d) < Tiny) d = Tiny;
            c = b + an / c;
            if (Math.Abs(c) < Tiny) c = Tiny;
            d = 1 / d;
            double step = d * c;
            f *= step;
            if (Math.Abs(step - 1) < 1e-16) break;
        }
        return Math.Exp(-z + a * Math.Log(z) - LogGamma(a)) * f;
    }
}
