using DeepImpression.Core.Backends.Cpu;
using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Backends;

/// <summary>Shared helpers of the CPU backend tests: seeded data, tensors, and tolerance checks scaled to magnitude.</summary>
internal static class BackendTestKit
{
    public static CpuBackend Cpu => CpuBackend.Instance;

    private static readonly Dictionary<SimdLevel, CpuBackend> ByLevel = [];

    /// <summary>A backend restricted to <paramref name="level"/> (one per level, kept for the test run).</summary>
    public static CpuBackend At(SimdLevel level)
    {
        lock (ByLevel)
        {
            if (!ByLevel.TryGetValue(level, out var backend))
                ByLevel[level] = backend = new CpuBackend(CpuBackendOptions.FromEnvironment() with { Threads = Cpu.Threads, Isa = level });
            return backend;
        }
    }

    /// <summary>Every SIMD level this machine can run, widest first: each fast path is checked, not only the default.</summary>
    public static IEnumerable<SimdLevel> Levels()
    {
        for (var level = CpuIsa.Detected; level >= SimdLevel.Portable; level--) yield return level;
    }

    public static float[] Uniform(int count, int seed, float low = -1f, float high = 1f)
    {
        var random = new Random(seed);
        var data = new float[count];
        for (int i = 0; i < count; i++) data[i] = (float)(low + (high - low) * random.NextDouble());
        return data;
    }

    public static Tensor T(float[] data, params int[] shape) => Tensor.FromArray(data, new Shape(shape));

    public static Tensor Empty(params int[] shape) => Tensor.Empty(new Shape(shape));

    /// <summary>A tensor filled with NaN, to prove an output is fully overwritten.</summary>
    public static Tensor Poisoned(params int[] shape) => Tensor.Full(new Shape(shape), float.NaN);

    /// <summary>
    /// Element-wise |actual − expected| ≤ rtol·(|expected| + rms(expected)): relative for large values, and
    /// relative to the array's typical magnitude for values that cancel to near zero.
    /// </summary>
    public static void AssertClose(float[] actual, double[] expected, double rtol, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), $"{what}: length");
        double rms = expected.Length == 0 ? 0 : Math.Sqrt(expected.Sum(e => e * e) / expected.Length);
        double floor = Math.Max(rms, 1e-30);
        int failures = 0;
        string first = "";
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            double tol = rtol * (Math.Abs(expected[i]) + floor);
            if (!(err <= tol))
            {
                if (failures++ == 0) first = $"first at [{i}]: got {actual[i]:R}, expected {expected[i]:R}";
                worst = Math.Max(worst, double.IsNaN(err) ? double.PositiveInfinity : err / (Math.Abs(expected[i]) + floor));
            }
        }
        Assert.That(failures, Is.Zero, $"{what}: {failures} of {expected.Length} elements off; {first}; worst relative error {worst:G3} (rtol {rtol:G3})");
    }

    /// <summary>‖actual − expected‖₂ / ‖expected‖₂ (the norm-wise relative error).</summary>
    public static double NormwiseError(float[] actual, double[] expected)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), "length");
        double err = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = actual[i] - expected[i];
            err += d * d;
            norm += expected[i] * expected[i];
        }
        return Math.Sqrt(err / Math.Max(norm, 1e-300));
    }

    /// <summary>The norm-wise relative error is at most <paramref name="rtol"/> (NaN fails).</summary>
    public static void AssertNormClose(float[] actual, double[] expected, double rtol, string what)
    {
        double error = NormwiseError(actual, expected);
        Assert.That(error <= rtol, $"{what}: norm-wise relative error {error:G3} (rtol {rtol:G3})");
    }

    public static void AssertClose(float[] actual, float[] expected, double rtol, string what) =>
        AssertClose(actual, expected.Select(v => (double)v).ToArray(), rtol, what);
}
