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
    public static double Sum(SimdLevel level, float* x, long n)
    {
        double total = 0;
        for (long s = 0; s < n; s += BlockLength) total += SumBlock(level, x + s, (int)Math.Min(BlockLength, n - s));
        return total;
    }

    /// <summary>(Σ (x − shift), Σ (x − shift)²) over a row: the shifted sums from which a variance is taken without cancellation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double Sum, double SumSquares) ShiftedMoments(SimdLevel level, float* x, int n, float shift)
    {
        double a = 0, b = 0;
        for (int s = 0; s < n; s += BlockLength)
        {
            var (p, q) = ShiftedMomentsBlock(level, x + s, Math.Min(BlockLength, n - s), shift);
            a += p; b += q;
        }
        return (a, b);
    }

    /// <summary>(Σ g, Σ g·(x − center)) over a row with g = dy gated by <typeparamref name="TGate"/> (y is the gate's
    /// input, unread by <see cref="Ungated"/>): batch norm's backward sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double SumDy, double SumDyX) GradientMoments<TGate>(SimdLevel level, float* dy, float* y, float* x, int n, float center)
        where TGate : IGradientGate
    {
        double a = 0, b = 0;
        for (int s = 0; s < n; s += BlockLength)
        {
            var (p, q) = GradientMomentsBlock<TGate>(level, dy + s, y + s, x + s, Math.Min(BlockLength, n - s), center);
            a += p; b += q;
        }
        return (a, b);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SumBlock(SimdLevel level, float* x, int n)
    {
        int i = 0;
        float total = 0f;
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
    private static (double Sum, double SumSquares) ShiftedMomentsBlock(SimdLevel level, float* x, int n, float shift)
    {
        int i = 0;
        float s = 0f, q = 0f;
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
    private static (double SumDy, double SumDyX) GradientMomentsBlock<TGate>(SimdLevel level, float* dy, float* y, float* x, int n, float center)
        where TGate : IGradientGate
    {
        int i = 0;
        float s = 0f, q = 0f;
        if (level == SimdLevel.Avx512 && n >= 16)
        {
            var k = Vector512.Create(center);
            Vector512<float> s0 = default, q0 = default, s1 = default, q1 = default;
            Vector512<float> s2 = default, q2 = default, s3 = default, q3 = default;
            // Four independent chains: the FMA latency, not the loads, bounds two.
            for (; i <= n - 64; i += 64)
            {
                var g0 = TGate.Gate(Vector512.Load(dy + i), y + i); var g1 = TGate.Gate(Vector512.Load(dy + i + 16), y + i + 16);
                var g2 = TGate.Gate(Vector512.Load(dy + i + 32), y + i + 32); var g3 = TGate.Gate(Vector512.Load(dy + i + 48), y + i + 48);
                s0 += g0; q0 = Vector512.FusedMultiplyAdd(g0, Vector512.Load(x + i) - k, q0);
                s1 += g1; q1 = Vector512.FusedMultiplyAdd(g1, Vector512.Load(x + i + 16) - k, q1);
                s2 += g2; q2 = Vector512.FusedMultiplyAdd(g2, Vector512.Load(x + i + 32) - k, q2);
                s3 += g3; q3 = Vector512.FusedMultiplyAdd(g3, Vector512.Load(x + i + 48) - k, q3);
            }
            s0 += s2; q0 += q2; s1 += s3; q1 += q3;
            for (; i <= n - 32; i += 32)
            {
                var g0 = TGate.Gate(Vector512.Load(dy + i), y + i); var g1 = TGate.Gate(Vector512.Load(dy + i + 16), y + i + 16);
                s0 += g0; q0 = Vector512.FusedMultiplyAdd(g0, Vector512.Load(x + i) - k, q0);
                s1 += g1; q1 = Vector512.FusedMultiplyAdd(g1, Vector512.Load(x + i + 16) - k, q1);
            }
            for (; i <= n - 16; i += 16)
            {
                var g0 = TGate.Gate(Vector512.Load(dy + i), y + i);
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
                var g0 = TGate.Gate(Vector256.Load(dy + i), y + i);
                s0 += g0; q0 = Vector256.FusedMultiplyAdd(g0, Vector256.Load(x + i) - k, q0);
            }
            s = Vector256.Sum(s0); q = Vector256.Sum(q0);
        }
        double sd = s, qd = q;
        for (; i < n; i++)
        {
            float g = TGate.Gate(dy[i], y + i);
            sd += g; qd += (double)g * (x[i] - center);
        }
        return (sd, qd);
    }

    /// <summary>y = scale·x + shift over a row (x and y may be the same row).</summary>
    public static void ScaleShift(SimdLevel level, float* x, float* y, int n, float scale, float shift) =>
        ScaleShift<IdentityOp>(level, x, y, n, scale, shift);

    /// <summary>y = f(scale·x + shift) over a row, f applied to the rounded result (batch norm with a fused ReLU
    /// gives the bits of batch norm, then ReLU).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScaleShift<TActivation>(SimdLevel level, float* x, float* y, int n, float scale, float shift) where TActivation : struct, IUnaryOp
    {
        int i = 0;
        var f = default(TActivation);
        if (level == SimdLevel.Avx512)
        {
            var a = Vector512.Create(scale); var b = Vector512.Create(shift);
            for (; i <= n - 16; i += 16) f.Apply(Vector512.FusedMultiplyAdd(a, Vector512.Load(x + i), b)).Store(y + i);
        }
        if (level >= SimdLevel.Avx2)
        {
            var a = Vector256.Create(scale); var b = Vector256.Create(shift);
            for (; i <= n - 8; i += 8) f.Apply(Vector256.FusedMultiplyAdd(a, Vector256.Load(x + i), b)).Store(y + i);
        }
        for (; i < n; i++) y[i] = f.Apply(MathF.FusedMultiplyAdd(scale, x[i], shift));
    }

    /// <summary>y = f((scale·x + shift) + z) over a row, each step rounded as when done one after another (batch
    /// norm, a residual added, then the activation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScaleShiftAdd<TActivation>(SimdLevel level, float* x, float* z, float* y, int n, float scale, float shift) where TActivation : struct, IUnaryOp
    {
        int i = 0;
        var f = default(TActivation);
        if (level == SimdLevel.Avx512)
        {
            var a = Vector512.Create(scale); var b = Vector512.Create(shift);
            for (; i <= n - 16; i += 16) f.Apply(Vector512.FusedMultiplyAdd(a, Vector512.Load(x + i), b) + Vector512.Load(z + i)).Store(y + i);
        }
        if (level >= SimdLevel.Avx2)
        {
            var a = Vector256.Create(scale); var b = Vector256.Create(shift);
            for (; i <= n - 8; i += 8) f.Apply(Vector256.FusedMultiplyAdd(a, Vector256.Load(x + i), b) + Vector256.Load(z + i)).Store(y + i);
        }
        for (; i < n; i++) y[i] = f.Apply(MathF.FusedMultiplyAdd(scale, x[i], shift) + z[i]);
    }

    /// <summary>g = dy gated by <typeparamref name="TGate"/> (from y) over a row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gate<TGate>(SimdLevel level, float* dy, float* y, float* g, int n) where TGate : IGradientGate
    {
        int i = 0;
        if (level == SimdLevel.Avx512)
            for (; i <= n - 16; i += 16) TGate.Gate(Vector512.Load(dy + i), y + i).Store(g + i);
        if (level >= SimdLevel.Avx2)
            for (; i <= n - 8; i += 8) TGate.Gate(Vector256.Load(dy + i), y + i).Store(g + i);
        for (; i < n; i++) g[i] = TGate.Gate(dy[i], y + i);
    }

    /// <summary>dx = a·g + b·x + c over a row with g = dy gated by <typeparamref name="TGate"/> (from y): batch
    /// norm's input gradient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Combine<TGate>(SimdLevel level, float* dy, float* y, float* x, float* dx, int n, float a, float b, float c)
        where TGate : IGradientGate
    {
        int i = 0;
        if (level == SimdLevel.Avx512)
        {
            var va = Vector512.Create(a); var vb = Vector512.Create(b); var vc = Vector512.Create(c);
            for (; i <= n - 16; i += 16)
                Vector512.FusedMultiplyAdd(va, TGate.Gate(Vector512.Load(dy + i), y + i), Vector512.FusedMultiplyAdd(vb, Vector512.Load(x + i), vc)).Store(dx + i);
        }
        if (level >= SimdLevel.Avx2)
        {
            var va = Vector256.Create(a); var vb = Vector256.Create(b); var vc = Vector256.Create(c);
            for (; i <= n - 8; i += 8)
                Vector256.FusedMultiplyAdd(va, TGate.Gate(Vector256.Load(dy + i), y + i), Vector256.FusedMultiplyAdd(vb, Vector256.Load(x + i), vc)).Store(dx + i);
        }
        for (; i < n; i++) dx[i] = MathF.FusedMultiplyAdd(a, TGate.Gate(dy[i], y + i), MathF.FusedMultiplyAdd(b, x[i], c));
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
    public static void AddInPlace(SimdLevel level, float* x, float* y, int n)
    {
        int i = 0;
        if (level == SimdLevel.Avx512)
            for (; i <= n - 16; i += 16) (Vector512.Load(y + i) + Vector512.Load(x + i)).Store(y + i);
        if (level >= SimdLevel.Avx2)
            for (; i <= n - 8; i += 8) (Vector256.Load(y + i) + Vector256.Load(x + i)).Store(y + i);
        for (; i < n; i++) y[i] += x[i];
    }
}

/// <summary>
/// What reaches batch norm's backward sums of an incoming gradient dy: dy itself, or dy through the ReLU that followed
/// the normalization (fused), read from that ReLU's output y at the same position.
/// </summary>
internal unsafe interface IGradientGate
{
    static abstract float Gate(float dy, float* y);
    static abstract Vector256<float> Gate(Vector256<float> dy, float* y);
    static abstract Vector512<float> Gate(Vector512<float> dy, float* y);
}

/// <summary>dy as it is; y is never read.</summary>
internal readonly unsafe struct Ungated : IGradientGate
{
    public static float Gate(float dy, float* y) => dy;
    public static Vector256<float> Gate(Vector256<float> dy, float* y) => dy;
    public static Vector512<float> Gate(Vector512<float> dy, float* y) => dy;
}

/// <summary>dy where the ReLU's output y is positive, else 0: the same select as <see cref="ReluBackwardOp"/>.</summary>
internal readonly unsafe struct ReluGate : IGradientGate
{
    public static float Gate(float dy, float* y) => default(ReluBackwardOp).Apply(*y, dy);
    public static Vector256<float> Gate(Vector256<float> dy, float* y) => default(ReluBackwardOp).Apply(Vector256.Load(y), dy);
    public static Vector512<float> Gate(Vector512<float> dy, float* y) => default(ReluBackwardOp).Apply(Vector512.Load(y), dy);
}
