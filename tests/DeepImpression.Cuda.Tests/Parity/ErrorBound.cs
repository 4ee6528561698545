namespace DeepImpression.Cuda.Tests.Parity;

/// <summary>
/// Rounding-error bounds of float32 arithmetic (Higham, Accuracy and Stability of Numerical Algorithms, ch. 2-3):
/// with unit roundoff u = 2^-24, k rounded operations in a row change a result by at most
/// γ_k = k·u / (1 − k·u) of the magnitudes they combine, whatever the order of the operations (so any summation
/// order, blocking or fused multiply-add a device uses is covered). A dot product of length K is off by at most
/// γ_K·Σ|x·w|; every bound of the parity checks is built from this, per element, against a float64 reference.
/// </summary>
internal static class ErrorBound
{
    /// <summary>The unit roundoff of float32: half the distance from 1 to the next float.</summary>
    public const double U = 1.0 / (1 << 24);

    /// <summary>The unit roundoff of float64.</summary>
    public const double UDouble = 1.0 / (1L << 53);

    public static double Gamma(long k) => k * U / (1 - k * U);

    public static double GammaDouble(long k) => k * UDouble / (1 - k * UDouble);

    /// <summary>A sum of n terms that the contract lets a device accumulate in double (γ_n in double) or pairwise in
    /// float (γ_⌈log2 n⌉), then round once to float: the larger of the two, of Σ|terms|, plus u of the result.</summary>
    public static double DoubleOrPairwiseSum(long n, double sumOfMagnitudes, double result) =>
        Math.Max(GammaDouble(n), Gamma((long)Math.Ceiling(Math.Log2(Math.Max(2, n))) + 1)) * sumOfMagnitudes + U * Math.Abs(result);

    /// <summary>Each element's bound from its magnitude terms: factor · magnitude[i].</summary>
    public static double[] Scaled(double factor, IReadOnlyList<double> magnitude) => magnitude.Select(m => factor * m).ToArray();

    public static double[] Abs(IEnumerable<double> values) => values.Select(Math.Abs).ToArray();

    public static float[] Abs(IEnumerable<float> values) => values.Select(MathF.Abs).ToArray();
}
