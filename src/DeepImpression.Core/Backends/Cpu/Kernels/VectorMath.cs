using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>Short vectorized loops over one contiguous row, shared by the per-channel and reduction kernels.</summary>
internal static unsafe class VectorMath
{
    /// <summary>Float lanes accumulate at most this many elements before their total moves into a double.</summary>
    private const int BlockLength = 4096;

    /// <summary>Σ x[i] over a row, accumulated in float lanes block by block and in double across blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Sum(float* x, long n)
    {
        double total = 0;
        for (long s = 0; s < n; s += BlockLength) total += SumBlock(x + s, (int)Math.Min(BlockLength, n - s));
        return total;
    }

    /// <summary>(Σ (x − shift), Σ (x − shift)²) over a row: the shifted sums from which a variance is taken without cancellation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double Sum, double SumSquares) ShiftedMoments(float* x, int n, float shift)
    {
        double a = 0, b = 0;
        for (int s = 0; s < n; s += BlockLength)
        {
            var (p, q) = ShiftedMomentsBlock(x + s, Math.Min(BlockLength, n - s), shift);
            a += p; b += q;
        }
        return (a, b);
    }

    /// <summary>(Σ dy, Σ dy·(x − center)) over a row: batch norm's backward sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double SumDy, double SumDyX) GradientMoments(float* dy, float* x, int n, float center)
    {
        double a = 0, b = 0;
        for (int s = 0; s < n; s += BlockLength)
        {
            var (p, q) = GradientMomentsBlock(dy + s, x + s, Math.Min(BlockLength, n - s), center);
            a += p; b += q;
        }
        return (a, b);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SumBlock(float* x, int n)
    {
        int i = 0;
        float total = 0f;
        var level = CpuIsa.Level;
        if (level == SimdLevel.Avx512 && n >= 16)
        {
            Vector512<float> s0 = default, s1 = default;
            for (; i <= n - 32; i += 32) { s0 += Vector512.Load(x + i); s1 += Vector512.Load(x + i + 16); }
            for (; i <= n - 16; i += 16) s0 += Vector512.Load(x + i);
            total = Vector512.Sum(s0 + s1);
        }
        else if (level >= SimdLevel.Avx2 && n >= 8)
        {
            Vector256<float> s0 = default, s1 = default;
            for (; i <= n - 16; i += 16) { s0 += Vector256.Load(x + i); s1 += Vector256.Load(x + i + 8); }
            for (; i <= n - 8; i += 8) s0 += Vector256.Load(x + i);
            total = Vector256.Sum(s0 + s1);
        }
        double rest = 0;
        for (; i < n; i++) rest += x[i];
        return total + rest;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Sum, double SumSquares) ShiftedMomentsBlock(float* x, int n, float shift)
    {
        int i = 0;
        float s = 0f, q = 0f;
        var level = CpuIsa.Level;
        if (level == SimdLevel.Avx512 && n >= 16)
        {
            var k = Vector512.Create(shift);
            Vector512<float> s0 = default, q0 = default, s1 = default, q1 = default;
            for (; i <= n - 32; i += 32)
            {
                var d0 = Vector512.Load(x + i) - k; var d1 = Vector512.Load(x + i + 16) - k;
                s0 += d0; q0 = Vector512.FusedMultiplyAdd(d0, d0, q0);
                s1 += d1; q1 = Vector512.FusedMultiplyAdd(d1, d1, q1);
            }
            for (; i <= n - 16; i += 16)
            {
                var d0 = Vector512.Load(x + i) - k;
                s0 += d0; q0 = Vector512.FusedMultiplyAdd(d0, d0, q0);
            }
            s = Vector512.Sum(s0 + s1); q = Vector512.Sum(q0 + q1);
        }
        else if (level >= SimdLevel.Avx2 && n >= 8)
        {
            var k = Vector256.Create(shift);
            Vector256<float> s0 = default, q0 = default;
            for (; i <= n - 8; i += 8)
            {
                var d0 = Vector256.Load(x + i) - k;
                s0 += d0; q0 = Vector256.FusedMultiplyAdd(d0, d0, q0);
            }
            s = Vector256.Sum(s0); q = Vector256.Sum(q0);
        }
        double sd = s, qd = q;
        for (; i < n; i++) { double d = x[i] - shift; sd += d; qd += d * d; }
        return (sd, qd);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double SumDy, double SumDyX) GradientMomentsBlock(float* dy, float* x, int n, float center)
    {
        int i = 0;
        float s = 0f, q = 0f;
        var level = CpuIsa.Level;
        if (level == SimdLevel.Avx512 && n >= 16)
        {
            var k = Vector512.Create(center);
            Vector512<float> s0 = default, q0 = default, s1 = default, q1 = default;
            for (; i <= n - 32; i += 32)
            {
                var g0 = Vector512.Load(dy + i); var g1 = Vector512.Load(dy + i + 16);
                s0 += g0; q0 = Vector512.FusedMultiplyAdd(g0, Vector512.Load(x + i) - k, q0);
                s1 += g1; q1 = Vector512.FusedMultiplyAdd(g1, Vector512.Load(x + i + 16) - k, q1);
            }
            for (; i <= n - 16; i += 16)
            {
                var g0 = Vector512.Load(dy + i);
                s0 += g0; q0 = Vector512.FusedMultiplyAdd(g0, Vector512.Load(x + i) - k, q0);
            }
            s = Vector512.Sum(s0 + s1); q = Vector512.Sum(q0 + q1);
        }
        else if (level >= SimdLevel.Avx2 && n >= 8)
        {
            var k = Vector256.Create(center);
            Vector256<float> s0 = default, q0 = default;
            for (; i <= n - 8; i += 8)
            {
                var g0 = Vector256.Load(dy + i);
                s0 += g0; q0 = Vector256.FusedMultiplyAdd(g0, Vector256.Load(x + i) - k, q0);
            }
            s = Vector256.Sum(s0); q = Vector256.Sum(q0);
        }
        double sd = s, qd = q;
        for (; i < n; i++) { sd += dy[i]; qd += (double)dy[i] * (x[i] - center); }
        return (sd, qd);
    }

    /// <summary>y = scale·x + shift over a row (x and y may be the same row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScaleShift(float* x, float* y, int n, float scale, float shift)
    {
        int i = 0;
        var level = CpuIsa.Level;
        if (level == SimdLevel.Avx512)
        {
            var a = Vector512.Create(scale); var b = Vector512.Create(shift);
            for (; i <= n - 16; i += 16) Vector512.FusedMultiplyAdd(a, Vector512.Load(x + i), b).Store(y + i);
        }
        if (level >= SimdLevel.Avx2)
        {
            var a = Vector256.Create(scale); var b = Vector256.Create(shift);
            for (; i <= n - 8; i += 8) Vector256.FusedMultiplyAdd(a, Vector256.Load(x + i), b).Store(y + i);
        }
        for (; i < n; i++) y[i] = MathF.FusedMultiplyAdd(scale, x[i], shift);
    }

    /// <summary>y = a·dy + b·x + c over a row: batch norm's input gradient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Combine(float* dy, float* x, float* y, int n, float a, float b, float c)
    {
        int i = 0;
        var level = CpuIsa.Level;
        if (level == SimdLevel.Avx512)
        {
            var va = Vector512.Create(a); var vb = Vector512.Create(b); var vc = Vector512.Create(c);
            for (; i <= n - 16; i += 16)
                Vector512.FusedMultiplyAdd(va, Vector512.Load(dy + i), Vector512.FusedMultiplyAdd(vb, Vector512.Load(x + i), vc)).Store(y + i);
        }
        if (level >= SimdLevel.Avx2)
        {
            var va = Vector256.Create(a); var vb = Vector256.Create(b); var vc = Vector256.Create(c);
            for (; i <= n - 8; i += 8)
                Vector256.FusedMultiplyAdd(va, Vector256.Load(dy + i), Vector256.FusedMultiplyAdd(vb, Vector256.Load(x + i), vc)).Store(y + i);
        }
        for (; i < n; i++) y[i] = MathF.FusedMultiplyAdd(a, dy[i], MathF.FusedMultiplyAdd(b, x[i], c));
    }

    /// <summary>dst[0..n) = src[0..n), inline: the runs copied while lowering are short, and a call per run costs more than the copy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Copy(float* src, float* dst, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16) Vector512.Load(src + i).Store(dst + i);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) Vector256.Load(src + i).Store(dst + i);
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - 4; i += 4) Vector128.Load(src + i).Store(dst + i);
        for (; i < n; i++) dst[i] = src[i];
    }

    /// <summary>y[i] += x[i] over a row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddInPlace(float* x, float* y, int n)
    {
        int i = 0;
        var level = CpuIsa.Level;
        if (level == SimdLevel.Avx512)
            for (; i <= n - 16; i += 16) (Vector512.Load(y + i) + Vector512.Load(x + i)).Store(y + i);
        if (level >= SimdLevel.Avx2)
            for (; i <= n - 8; i += 8) (Vector256.Load(y + i) + Vector256.Load(x + i)).Store(y + i);
        for (; i < n; i++) y[i] += x[i];
    }
}
