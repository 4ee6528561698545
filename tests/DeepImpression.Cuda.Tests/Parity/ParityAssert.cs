using System.Globalization;

namespace DeepImpression.Cuda.Tests.Parity;

/// <summary>Element-wise comparison of a device's float32 result with a float64 reference under per-element bounds.</summary>
internal static class ParityAssert
{
    /// <summary>
    /// |actual[i] − reference[i]| ≤ bound[i] for every element (NaN only where the reference has NaN). The message
    /// names the worst element and how much of its bound it used, so a failure says how far off it is.
    /// </summary>
    public static void Within(float[] actual, double[] reference, double[] bound, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(reference.Length), $"{what}: length");
        Assert.That(bound, Has.Length.EqualTo(reference.Length), $"{what}: bounds");
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            Assert.That(float.IsNaN(actual[i]), Is.EqualTo(double.IsNaN(reference[i])), $"{what}: element {i} is {actual[i]}, the reference {reference[i]}");
            if (double.IsNaN(reference[i])) continue;
            double error = Math.Abs(actual[i] - reference[i]);
            double ratio = error == 0 ? 0 : bound[i] > 0 ? error / bound[i] : double.PositiveInfinity;
            if (ratio > worstRatio)
            {
                worstRatio = ratio;
                worst = i;
            }
        }
        Assert.That(worstRatio, Is.LessThanOrEqualTo(1.0), () => string.Create(CultureInfo.InvariantCulture,
            $"{what}: element {worst} is {actual[worst]:R}, the float64 reference {reference[worst]:R}: off by {Math.Abs(actual[worst] - reference[worst]):G3}, " +
            $"{worstRatio:F2} times its bound {bound[worst]:G3}"));
        // Console, not TestContext: the GPU check runner (no NUnit engine) logs it too.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: worst element used {worstRatio:F3} of its bound"));
    }

    /// <summary>Bit-for-bit equality (for operations that round once or not at all, and for our kernels against the
    /// CPU's, which round operation by operation alike).</summary>
    public static void Exact(float[] actual, float[] expected, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), $"{what}: length");
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToUInt32Bits(actual[i]) != BitConverter.SingleToUInt32Bits(expected[i]))
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{what}: element {i} is {actual[i]:R}, expected exactly {expected[i]:R}"));
    }
}
