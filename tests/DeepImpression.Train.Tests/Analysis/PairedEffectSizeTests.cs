using System.Globalization;
using DeepImpression.Tests.Shared;
using DeepImpression.Train.Analysis.Segments;

namespace DeepImpression.Train.Tests.Analysis;

/// <summary>
/// Cohen's d for paired differences and its noncentral-t confidence interval, against closed forms and against
/// SciPy (an independent implementation: Boost's noncentral t, root-finding with brentq).
/// </summary>
[TestFixture]
public class PairedEffectSizeTests
{
    [Test]
    public void Special_functions_match_closed_forms()
    {
        Assert.That(SpecialFunctions.LogGamma(0.5), Is.EqualTo(0.5 * Math.Log(Math.PI)).Within(1e-14));
        Assert.That(SpecialFunctions.LogGamma(10), Is.EqualTo(Math.Log(362880)).Within(1e-12));
        Assert.That(SpecialFunctions.LogGamma(200.5), Is.EqualTo(860.5822035097825).Within(1e-10));
        Assert.That(SpecialFunctions.NormalCdf(0), Is.EqualTo(0.5).Within(1e-16));
        Assert.That(SpecialFunctions.NormalCdf(1.959963984540054), Is.EqualTo(0.975).Within(1e-14));
        // Far tail, relative accuracy: Phi(-10) = 7.6198530241605e-24.
        Assert.That(SpecialFunctions.NormalCdf(-10) / 7.6198530241605269e-24, Is.EqualTo(1).Within(1e-10));
    }

    [TestCase(1), TestCase(2)]
    public void Central_t_matches_its_closed_forms(int df)
    {
        foreach (var t in new[] { -30.0, -4, -1.5, -0.2, 0, 0.7, 2, 9, 60 })
        {
            // df = 1: the Cauchy distribution; df = 2: 1/2 + t / (2 sqrt(2 + t^2)).
            double expected = df == 1 ? 0.5 + Math.Atan(t) / Math.PI : 0.5 + t / (2 * Math.Sqrt(2 + t * t));
            Assert.That(NoncentralT.Cdf(t, df, 0), Is.EqualTo(expected).Within(1e-9), $"t = {t}");
        }
    }

    [Test]
    public void Noncentral_t_and_the_interval_match_scipy()
    {
        var cases = new List<(double T, double Df, double Delta)>();
        foreach (var df in new[] { 1.0, 2, 4, 9, 29, 199, 4999 })
            foreach (var (t, delta) in new[] { (0.5, 0.0), (-2.0, 1.0), (3.0, 2.5), (-8.0, -6.0), (25.0, 40.0), (1.0, -3.0) })
                cases.Add((t, df, delta));
        string args = string.Join(";", cases.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.T},{c.Df},{c.Delta}")));
        var expected = Scipy("""
            import sys
            from scipy.stats import nct
            for c in sys.argv[1].split(';'):
                t, df, d = map(float, c.split(','))
                print(repr(float(nct.cdf(t, df, d))))
            """, args).Select(double.Parse).ToArray();
        for (int i = 0; i < cases.Count; i++)
            Assert.That(NoncentralT.Cdf(cases[i].T, cases[i].Df, cases[i].Delta), Is.EqualTo(expected[i]).Within(1e-8), cases[i].ToString());

        // Differences of several sizes and signs: d, its interval and p against SciPy.
        var rng = new Random(5);
        foreach (var (n, shift) in new[] { (2, 0.4), (5, -1.0), (12, 0.3), (40, -2.5), (300, 0.05) })
        {
            var x = Enumerable.Range(0, n).Select(_ => shift + Normal(rng)).ToArray();
            var mine = PairedEffectSize.Of(x);
            var reference = Scipy("""
                import sys, numpy as np
                from scipy.stats import nct, ttest_1samp
                from scipy.optimize import brentq
                x = np.array([float(v) for v in sys.argv[1].split(',')])
                n = len(x); d = x.mean() / x.std(ddof=1); t = d * np.sqrt(n)
                f = lambda q: brentq(lambda delta: nct.cdf(t, n - 1, delta) - q, t - 60, t + 60, xtol=1e-13)
                print(repr(d)); print(repr(f(0.975) / np.sqrt(n))); print(repr(f(0.025) / np.sqrt(n))); print(repr(ttest_1samp(x, 0).pvalue))
                """, string.Join(",", x.Select(v => v.ToString("R", CultureInfo.InvariantCulture))))
                .Select(double.Parse).ToArray();
            Assert.That(mine.N, Is.EqualTo(n));
            Assert.That(mine.D, Is.EqualTo(reference[0]).Within(1e-12), $"n = {n}");
            Assert.That(mine.CiLow, Is.EqualTo(reference[1]).Within(1e-7), $"n = {n}");
            Assert.That(mine.CiHigh, Is.EqualTo(reference[2]).Within(1e-7), $"n = {n}");
            Assert.That(mine.P, Is.EqualTo(reference[3]).Within(1e-8 + 1e-6 * reference[3]), $"n = {n}");
            Assert.That(mine.CiLow, Is.LessThan(mine.D).And.LessThan(mine.CiHigh));
        }
    }

    [Test]
    public void Too_few_or_constant_differences_have_no_effect_size()
    {
        Assert.That(PairedEffectSize.Of([0.3]).D, Is.NaN);
        Assert.That(PairedEffectSize.Of([0.1, 0.1, 0.1]).D, Is.NaN);
        Assert.That(PairedEffectSize.Of([0.0, 0.0]).N, Is.EqualTo(2));
        var pairs = PairedEffectSize.Of([1.0, 2, 3], [1.5, 2.4, 3.7]);
        Assert.That(pairs.MeanDifference, Is.EqualTo(0.5333333333333333).Within(1e-12));
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Runs a script that needs SciPy (Debian's python3-scipy comes with python3-skimage, which
    /// scripts/setup.sh installs); ignored with the reason where it is missing.</summary>
    private static string[] Scipy(string script, string argument)
    {
        if (PythonWithNumpy.Run("import importlib.util; print(importlib.util.find_spec('scipy') is not None)").Trim() != "True")
            Assert.Ignore("SciPy is missing: install Debian's python3-skimage or python3-scipy (bash scripts/setup.sh).");
        return PythonWithNumpy.Run(script, argument).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
