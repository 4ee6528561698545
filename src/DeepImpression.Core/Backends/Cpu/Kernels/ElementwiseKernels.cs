using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>An element-wise function of one input, written once per vector width so the loop runs at any SIMD level.</summary>
internal interface IUnaryOp
{
    float Apply(float x);
    Vector256<float> Apply(Vector256<float> x);
    Vector512<float> Apply(Vector512<float> x);
}

/// <summary>An element-wise function of two inputs.</summary>
internal interface IBinaryOp
{
    float Apply(float x, float y);
    Vector256<float> Apply(Vector256<float> x, Vector256<float> y);
    Vector512<float> Apply(Vector512<float> x, Vector512<float> y);
}

/// <summary>
/// Vectorized element-wise loops. Long arrays are cut into one contiguous, 64-byte-aligned range per core, so
/// neighbouring workers never write the same cache line.
/// </summary>
internal sealed unsafe class ElementwiseKernels(CpuContext context)
{
    /// <summary>Below this many elements a second core costs more than it saves (memory-bound work).</summary>
    internal const long ParallelGrain = 1 << 15;

    /// <summary>How many ranges to cut <paramref name="n"/> elements into for a pool of <paramref name="workers"/>.</summary>
    public static int RangeCount(long n, int workers) => (int)Math.Clamp(n / ParallelGrain, 1, workers);

    /// <summary>The bounds of range <paramref name="index"/> of <paramref name="count"/>, aligned to 16 floats.</summary>
    public static (long Start, long End) Range(long n, int index, int count)
    {
        long per = (n / count + 15) & ~15L;
        long start = Math.Min(n, per * index);
        long end = index == count - 1 ? n : Math.Min(n, start + per);
        return (start, end);
    }

    public void Map<TOp>(TOp op, float* x, float* y, long n) where TOp : struct, IUnaryOp
    {
        int ranges = RangeCount(n, context.Workers.Count);
        if (ranges == 1) MapRange(context.Isa, op, x, y, n);
        else context.Workers.For(ranges, new MapJob<TOp> { Level = context.Isa, Op = op, X = x, Y = y, N = n, Ranges = ranges });
    }

    public void Zip<TOp>(TOp op, float* x, float* z, float* y, long n) where TOp : struct, IBinaryOp
    {
        int ranges = RangeCount(n, context.Workers.Count);
        if (ranges == 1) ZipRange(context.Isa, op, x, z, y, n);
        else context.Workers.For(ranges, new ZipJob<TOp> { Level = context.Isa, Op = op, X = x, Z = z, Y = y, N = n, Ranges = ranges });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MapRange<TOp>(SimdLevel level, TOp op, float* x, float* y, long n) where TOp : struct, IUnaryOp
    {
        long i = 0;
        if (level == SimdLevel.Avx512)
            for (; i <= n - 16; i += 16) op.Apply(Vector512.Load(x + i)).Store(y + i);
        if (level >= SimdLevel.Avx2)
            for (; i <= n - 8; i += 8) op.Apply(Vector256.Load(x + i)).Store(y + i);
        for (; i < n; i++) y[i] = op.Apply(x[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ZipRange<TOp>(SimdLevel level, TOp op, float* x, float* z, float* y, long n) where TOp : struct, IBinaryOp
    {
        long i = 0;
        if (level == SimdLevel.Avx512)
            for (; i <= n - 16; i += 16) op.Apply(Vector512.Load(x + i), Vector512.Load(z + i)).Store(y + i);
        if (level >= SimdLevel.Avx2)
            for (; i <= n - 8; i += 8) op.Apply(Vector256.Load(x + i), Vector256.Load(z + i)).Store(y + i);
        for (; i < n; i++) y[i] = op.Apply(x[i], z[i]);
    }

    private sealed class MapJob<TOp> : IParallelBody where TOp : struct, IUnaryOp
    {
        public SimdLevel Level;
        public TOp Op;
        public float* X, Y;
        public long N;
        public int Ranges;

        public void Execute(int index, int worker)
        {
            var (s, e) = Range(N, index, Ranges);
            MapRange(Level, Op, X + s, Y + s, e - s);
        }
    }

    private sealed class ZipJob<TOp> : IParallelBody where TOp : struct, IBinaryOp
    {
        public SimdLevel Level;
        public TOp Op;
        public float* X, Z, Y;
        public long N;
        public int Ranges;

        public void Execute(int index, int worker)
        {
            var (s, e) = Range(N, index, Ranges);
            ZipRange(Level, Op, X + s, Z + s, Y + s, e - s);
        }
    }
}

// ---- The element-wise functions used by the backend --------------------------------------------------------

internal readonly struct AffineOp(float scale, float shift) : IUnaryOp
{
    public float Apply(float x) => MathF.FusedMultiplyAdd(scale, x, shift);
    public Vector256<float> Apply(Vector256<float> x) => Vector256.FusedMultiplyAdd(Vector256.Create(scale), x, Vector256.Create(shift));
    public Vector512<float> Apply(Vector512<float> x) => Vector512.FusedMultiplyAdd(Vector512.Create(scale), x, Vector512.Create(shift));
}

internal readonly struct AddOp : IBinaryOp
{
    public float Apply(float x, float y) => x + y;
    public Vector256<float> Apply(Vector256<float> x, Vector256<float> y) => x + y;
    public Vector512<float> Apply(Vector512<float> x, Vector512<float> y) => x + y;
}

/// <summary>alpha·x + beta·y.</summary>
internal readonly struct AxpbyOp(float alpha, float beta) : IBinaryOp
{
    public float Apply(float x, float y) => MathF.FusedMultiplyAdd(alpha, x, beta * y);
    public Vector256<float> Apply(Vector256<float> x, Vector256<float> y) =>
        Vector256.FusedMultiplyAdd(Vector256.Create(alpha), x, Vector256.Create(beta) * y);
    public Vector512<float> Apply(Vector512<float> x, Vector512<float> y) =>
        Vector512.FusedMultiplyAdd(Vector512.Create(alpha), x, Vector512.Create(beta) * y);
}

/// <summary>
/// max(x, 0), with a NaN input passed through on every path alike (as numpy's maximum and cuDNN's PROPAGATE_NAN):
/// a network that blew up must show it in the loss, not go quietly dead.
/// </summary>
internal readonly struct ReluOp : IUnaryOp
{
    public float Apply(float x) => x <= 0f ? 0f : x;
    public Vector256<float> Apply(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.LessThanOrEqual(x, Vector256<float>.Zero), Vector256<float>.Zero, x);
    public Vector512<float> Apply(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.LessThanOrEqual(x, Vector512<float>.Zero), Vector512<float>.Zero, x);
}

/// <summary>x unchanged.</summary>
internal readonly struct IdentityOp : IUnaryOp
{
    public float Apply(float x) => x;
    public Vector256<float> Apply(Vector256<float> x) => x;
    public Vector512<float> Apply(Vector512<float> x) => x;
}

/// <summary>dy where the ReLU's output y is positive, else 0: (y, dy) -> dx.</summary>
internal readonly struct ReluBackwardOp : IBinaryOp
{
    public float Apply(float y, float dy) => y > 0f ? dy : 0f;
    public Vector256<float> Apply(Vector256<float> y, Vector256<float> dy) => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), dy, Vector256<float>.Zero);
    public Vector512<float> Apply(Vector512<float> y, Vector512<float> dy) => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), dy, Vector512<float>.Zero);
}

/// <summary>dy·(1 − y²) from tanh's output y: (y, dy) -> dx.</summary>
internal readonly struct TanhBackwardOp : IBinaryOp
{
    public float Apply(float y, float dy) => dy * (1f - y * y);
    public Vector256<float> Apply(Vector256<float> y, Vector256<float> dy) => dy * (Vector256<float>.One - y * y);
    public Vector512<float> Apply(Vector512<float> y, Vector512<float> dy) => dy * (Vector512<float>.One - y * y);
}
