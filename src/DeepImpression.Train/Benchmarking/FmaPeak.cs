using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepImpression.Train.Benchmarking;

/// <summary>
/// Measures the machine's single-precision FMA peak: every core runs chains of independent fused multiply-adds
/// on the widest vectors the CPU has, enough chains to hide the FMA latency. The GEMM efficiency figures are
/// relative to this measured number, not to a datasheet.
/// </summary>
public static class FmaPeak
{
    /// <summary>Runs independent fused multiply-add chains on <paramref name="threads"/> threads for <paramref name="duration"/> and returns the rate reached, in GFLOP/s (two FLOPs per multiply-add).</summary>
    public static double MeasureGflops(int threads, TimeSpan duration)
    {
        long iterations = 1 << 16;
        // Calibrate on one thread so that each timed run lasts about `duration`.
        var sw = Stopwatch.StartNew();
        Run(iterations);
        double perIteration = sw.Elapsed.TotalSeconds / iterations;
        long target = Math.Max(iterations, (long)(duration.TotalSeconds / Math.Max(perIteration, 1e-12)));
        double best = 0;
        for (int repeat = 0; repeat < 3; repeat++)
        {
            var start = Stopwatch.GetTimestamp();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => Run(target));
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, threads * target * FlopsPerIteration / seconds / 1e9);
        }
        return best;
    }

    private static double FlopsPerIteration =>
        Chains * 2.0 * (Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256.IsHardwareAccelerated ? Vector256<float>.Count : 1);

    private const int Chains = 12;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Run(long iterations)
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported) return Run512(iterations);
        if (Fma.IsSupported) return Run256(iterations);
        float a = 1f;
        for (long i = 0; i < iterations * Chains; i++) a = a * 0.999f + 0.001f;
        return a;
    }

    private static float Run512(long iterations)
    {
        var m = Vector512.Create(0.999f);
        var c = Vector512.Create(0.001f);
        Vector512<float> a0 = m, a1 = m, a2 = m, a3 = m, a4 = m, a5 = m, a6 = m, a7 = m, a8 = m, a9 = m, a10 = m, a11 = m;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, m, c); a1 = Avx512F.FusedMultiplyAdd(a1, m, c);
            a2 = Avx512F.FusedMultiplyAdd(a2, m, c); a3 = Avx512F.FusedMultiplyAdd(a3, m, c);
            a4 = Avx512F.FusedMultiplyAdd(a4, m, c); a5 = Avx512F.FusedMultiplyAdd(a5, m, c);
            a6 = Avx512F.FusedMultiplyAdd(a6, m, c); a7 = Avx512F.FusedMultiplyAdd(a7, m, c);
            a8 = Avx512F.FusedMultiplyAdd(a8, m, c); a9 = Avx512F.FusedMultiplyAdd(a9, m, c);
            a10 = Avx512F.FusedMultiplyAdd(a10, m, c); a11 = Avx512F.FusedMultiplyAdd(a11, m, c);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).ToScalar();
    }

    private static float Run256(long iterations)
    {
        var m = Vector256.Create(0.999f);
        var c = Vector256.Create(0.001f);
        Vector256<float> a0 = m, a1 = m, a2 = m, a3 = m, a4 = m, a5 = m, a6 = m, a7 = m, a8 = m, a9 = m, a10 = m, a11 = m;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, m, c); a1 = Fma.MultiplyAdd(a1, m, c);
            a2 = Fma.MultiplyAdd(a2, m, c); a3 = Fma.MultiplyAdd(a3, m, c);
            a4 = Fma.MultiplyAdd(a4, m, c); a5 = Fma.MultiplyAdd(a5, m, c);
            a6 = Fma.MultiplyAdd(a6, m, c); a7 = Fma.MultiplyAdd(a7, m, c);
            a8 = Fma.MultiplyAdd(a8, m, c); a9 = Fma.MultiplyAdd(a9, m, c);
            a10 = Fma.MultiplyAdd(a10, m, c); a11 = Fma.MultiplyAdd(a11, m, c);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).ToScalar();
    }
}
