using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>In-place parameter updates, vectorized and split over the cores for large parameters.</summary>
internal sealed unsafe class OptimizerKernels(CpuContext context)
{
    public void Adam(float* param, float* grad, float* m, float* v, long n, float learningRate, float beta1, float beta2, float epsilon)
    {
        var job = new AdamJob { Level = context.Isa, P = param, G = grad, M = m, V = v, N = n, Lr = learningRate, B1 = beta1, B2 = beta2, Eps = epsilon };
        job.Ranges = ElementwiseKernels.RangeCount(n, context.Workers.Count);
        if (job.Ranges == 1) job.Execute(0, 0);
        else context.Workers.For(job.Ranges, job);
    }

    public void SgdMomentum(float* param, float* grad, float* velocity, long n, float learningRate, float momentum)
    {
        var job = new SgdJob { Level = context.Isa, P = param, G = grad, Vel = velocity, N = n, Lr = learningRate, Momentum = momentum };
        job.Ranges = ElementwiseKernels.RangeCount(n, context.Workers.Count);
        if (job.Ranges == 1) job.Execute(0, 0);
        else context.Workers.For(job.Ranges, job);
    }

    private sealed class AdamJob : IParallelBody
    {
        public SimdLevel Level;
        public float* P, G, M, V;
        public long N;
        public int Ranges;
        public float Lr, B1, B2, Eps;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int index, int worker)
        {
            var (i, end) = ElementwiseKernels.Range(N, index, Ranges);
            float a1 = 1f - B1, a2 = 1f - B2;
            var level = Level;
            if (level == SimdLevel.Avx512)
            {
                var va1 = Vector512.Create(a1); var va2 = Vector512.Create(a2);
                var vlr = Vector512.Create(Lr); var veps = Vector512.Create(Eps);
                for (; i <= end - 16; i += 16)
                {
                    var g = Vector512.Load(G + i);
                    var m = Vector512.Load(M + i);
                    var v = Vector512.Load(V + i);
                    m = Vector512.FusedMultiplyAdd(va1, g - m, m);
                    v = Vector512.FusedMultiplyAdd(va2, g * g - v, v);
                    m.Store(M + i);
                    v.Store(V + i);
                    (Vector512.Load(P + i) - vlr * m / (Vector512.Sqrt(v) + veps)).Store(P + i);
                }
            }
            if (level >= SimdLevel.Avx2)
            {
                var va1 = Vector256.Create(a1); var va2 = Vector256.Create(a2);
                var vlr = Vector256.Create(Lr); var veps = Vector256.Create(Eps);
                for (; i <= end - 8; i += 8)
                {
                    var g = Vector256.Load(G + i);
                    var m = Vector256.Load(M + i);
                    var v = Vector256.Load(V + i);
                    m = Vector256.FusedMultiplyAdd(va1, g - m, m);
                    v = Vector256.FusedMultiplyAdd(va2, g * g - v, v);
                    m.Store(M + i);
                    v.Store(V + i);
                    (Vector256.Load(P + i) - vlr * m / (Vector256.Sqrt(v) + veps)).Store(P + i);
                }
            }
            for (; i < end; i++)
            {
                float g = G[i];
                float m = MathF.FusedMultiplyAdd(a1, g - M[i], M[i]);
                float v = MathF.FusedMultiplyAdd(a2, g * g - V[i], V[i]);
                M[i] = m;
                V[i] = v;
                P[i] -= Lr * m / (MathF.Sqrt(v) + Eps);
            }
        }
    }

    private sealed class SgdJob : IParallelBody
    {
        public SimdLevel Level;
        public float* P, G, Vel;
        public long N;
        public int Ranges;
        public float Lr, Momentum;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int index, int worker)
        {
            var (i, end) = ElementwiseKernels.Range(N, index, Ranges);
            var level = Level;
            if (level == SimdLevel.Avx512)
            {
                var mom = Vector512.Create(Momentum); var lr = Vector512.Create(Lr);
                for (; i <= end - 16; i += 16)
                {
                    var vel = mom * Vector512.Load(Vel + i) - lr * Vector512.Load(G + i);
                    vel.Store(Vel + i);
                    (Vector512.Load(P + i) + vel).Store(P + i);
                }
            }
            if (level >= SimdLevel.Avx2)
            {
                var mom = Vector256.Create(Momentum); var lr = Vector256.Create(Lr);
                for (; i <= end - 8; i += 8)
                {
                    var vel = mom * Vector256.Load(Vel + i) - lr * Vector256.Load(G + i);
                    vel.Store(Vel + i);
                    (Vector256.Load(P + i) + vel).Store(P + i);
                }
            }
            for (; i < end; i++)
            {
                float vel = Momentum * Vel[i] - Lr * G[i];
                Vel[i] = vel;
                P[i] += vel;
            }
        }
    }
}
