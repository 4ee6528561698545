namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>Whole-tensor reductions, split over the cores for long tensors.</summary>
internal static unsafe class ReductionKernels
{
    /// <summary>Σ x, accumulated in double across blocks and across cores.</summary>
    public static double Sum(float* x, long n)
    {
        int ranges = ElementwiseKernels.RangeCount(n);
        if (ranges == 1) return VectorMath.Sum(x, n);
        var job = new SumJob { X = x, N = n, Ranges = ranges, Partials = new double[ranges] };
        CpuWorkers.For(ranges, job);
        double total = 0;
        foreach (var p in job.Partials) total += p;
        return total;
    }

    private sealed class SumJob : IParallelBody
    {
        public float* X;
        public long N;
        public int Ranges;
        public double[] Partials = [];

        public void Execute(int index, int worker)
        {
            var (s, e) = ElementwiseKernels.Range(N, index, Ranges);
            Partials[index] = VectorMath.Sum(X + s, e - s);
        }
    }
}
