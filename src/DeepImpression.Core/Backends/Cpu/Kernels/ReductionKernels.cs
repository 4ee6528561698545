namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>Whole-tensor reductions, split over the cores for long tensors.</summary>
internal sealed unsafe class ReductionKernels(CpuContext context)
{
    /// <summary>Elements per partial sum: fixed, so that the rounding does not depend on the number of cores.</summary>
    private const long Block = 1 << 16;

    /// <summary>Σ x, accumulated in double across fixed blocks, added in block order.</summary>
    public double Sum(float* x, long n)
    {
        if (n <= Block) return VectorMath.Sum(context.Isa, x, n);
        var job = new SumJob { Level = context.Isa, X = x, N = n, Partials = new double[(n + Block - 1) / Block] };
        context.Workers.For(job.Partials.Length, job);
        double total = 0;
        foreach (var p in job.Partials) total += p;
        return total;
    }

    private sealed class SumJob : IParallelBody
    {
        public SimdLevel Level;
        public float* X;
        public long N;
        public double[] Partials = [];

        public void Execute(int index, int worker)
        {
            long start = index * Block;
            Partials[index] = VectorMath.Sum(Level, X + start, Math.Min(Block, N - start));
        }
    }
}
