using System.Runtime.CompilerServices;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>
/// Per-channel work on (N, C, inner) tensors: bias add, bias gradient and batch normalization. Channel c's data is
/// N rows of <c>inner</c> contiguous floats; channels are independent, so they are spread over the cores.
/// </summary>
internal sealed unsafe class ChannelKernels(CpuContext context)
{
    /// <summary>y[n, c, :] += bias[c].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddPerChannel(float* y, float* bias, int n, int c, int inner)
    {
        var job = new AddJob { Level = context.Isa, Y = y, Bias = bias, C = c, Inner = inner };
        if ((long)n * c * inner < ElementwiseKernels.ParallelGrain) for (int i = 0; i < n * c; i++) job.Execute(i, 0);
        else context.Workers.For(n * c, job);
    }

    /// <summary>sums[c] = Σ over n and inner of x[n, c, :].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SumPerChannel(float* x, float* sums, int n, int c, int inner)
    {
        if (inner == 1)
        {
            // A (N, C) matrix: add its rows, in double, column by column.
            for (int k = 0; k < c; k++)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += x[(long)i * c + k];
                sums[k] = (float)s;
            }
            return;
        }
        var job = new SumJob { Level = context.Isa, X = x, Sums = sums, N = n, C = c, Inner = inner };
        Run(job, (long)n * c * inner, c);
    }

    /// <summary>Batch-statistics normalization of every channel, saving mean and 1/std and updating running
    /// statistics; with <paramref name="relu"/>, the residual (if any) is added and ReLU applied in the same pass.</summary>
    public void BatchNormTraining(float* x, float* gamma, float* beta, float* y, double factor, float* runningMean,
        float* runningVariance, double epsilon, float* saveMean, float* saveInvStd, int n, int c, int inner, bool relu = false,
        float* residual = null)
    {
        var job = new NormTrainJob
        {
            Level = context.Isa,
            X = x, Gamma = gamma, Beta = beta, Y = y, Factor = factor, RunningMean = runningMean,
            RunningVariance = runningVariance, Epsilon = epsilon, SaveMean = saveMean, SaveInvStd = saveInvStd,
            N = n, C = c, Inner = inner, Relu = relu, Residual = residual,
        };
        Run(job, (long)n * c * inner, c);
    }

    /// <summary>Normalization with given (running) statistics: one scale and shift per channel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void BatchNormInference(float* x, float* gamma, float* beta, float* mean, float* variance, double epsilon,
        float* y, int n, int c, int inner)
    {
        var job = new NormInferJob { Level = context.Isa, X = x, Y = y, C = c, Inner = inner, Scale = new float[c], Shift = new float[c] };
        for (int k = 0; k < c; k++)
        {
            double scale = gamma[k] / Math.Sqrt(variance[k] + epsilon);
            job.Scale[k] = (float)scale;
            job.Shift[k] = (float)(beta[k] - mean[k] * scale);
        }
        Run(job, (long)n * c * inner, n * c);
    }

    /// <summary>dx, dgamma, dbeta of training-mode batch normalization from the saved statistics; when
    /// <paramref name="reluOutput"/> is given, of batch normalization followed by a ReLU that produced it (dy is
    /// then the ReLU's output gradient, gated on the way in, and written to <paramref name="gatedGradient"/> when
    /// given: the gradient of a residual added before the ReLU).</summary>
    public void BatchNormBackward(float* x, float* dy, float* gamma, float* saveMean, float* saveInvStd,
        float* dx, float* dGamma, float* dBeta, int n, int c, int inner, float* reluOutput = null, float* gatedGradient = null)
    {
        var job = new NormBackwardJob
        {
            Level = context.Isa,
            X = x, Dy = dy, Gamma = gamma, SaveMean = saveMean, SaveInvStd = saveInvStd, Dx = dx, DGamma = dGamma,
            DBeta = dBeta, N = n, C = c, Inner = inner, ReluOutput = reluOutput, GatedGradient = gatedGradient,
        };
        Run(job, (long)n * c * inner, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run<TJob>(TJob job, long elements, int count) where TJob : class, IParallelBody
    {
        if (elements < ElementwiseKernels.ParallelGrain) for (int i = 0; i < count; i++) job.Execute(i, 0);
        else context.Workers.For(count, job);
    }

    private sealed class AddJob : IParallelBody
    {
        public SimdLevel Level;
        public float* Y, Bias;
        public int C, Inner;

        public void Execute(int row, int worker)
        {
            float* r = Y + (long)row * Inner;
            VectorMath.ScaleShift(Level, r, r, Inner, 1f, Bias[row % C]);
        }
    }

    private sealed class SumJob : IParallelBody
    {
        public SimdLevel Level;
        public float* X, Sums;
        public int N, C, Inner;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int k, int worker)
        {
            double s = 0;
            for (int i = 0; i < N; i++) s += VectorMath.Sum(Level, X + ((long)i * C + k) * Inner, Inner);
            Sums[k] = (float)s;
        }
    }

    private sealed class NormTrainJob : IParallelBody
    {
        public SimdLevel Level;
        public float* X, Gamma, Beta, Y, RunningMean, RunningVariance, SaveMean, SaveInvStd;
        public double Factor, Epsilon;
        public int N, C, Inner;
        public bool Relu;
        public float* Residual;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int k, int worker)
        {
            long m = (long)N * Inner;
            // Shifting by one sample of the channel keeps Σd² − (Σd)²/m free of cancellation when |mean| ≫ std.
            float shift = X[(long)k * Inner];
            double s = 0, q = 0;
            for (int i = 0; i < N; i++)
            {
                var (a, b) = VectorMath.ShiftedMoments(Level, X + ((long)i * C + k) * Inner, Inner, shift);
                s += a; q += b;
            }
            double meanShifted = s / m;
            double variance = Math.Max(0.0, q / m - meanShifted * meanShifted);
            double mean = shift + meanShifted;
            double invStd = 1.0 / Math.Sqrt(variance + Epsilon);
            SaveMean[k] = (float)mean;
            SaveInvStd[k] = (float)invStd;
            double unbiased = m > 1 ? variance * m / (m - 1) : variance;
            RunningMean[k] = (float)((1 - Factor) * RunningMean[k] + Factor * mean);
            RunningVariance[k] = (float)((1 - Factor) * RunningVariance[k] + Factor * unbiased);

            double scale = Gamma[k] * invStd;
            float sc = (float)scale, sh = (float)(Beta[k] - mean * scale);
            for (int i = 0; i < N; i++)
            {
                long offset = ((long)i * C + k) * Inner;
                if (Residual != null) VectorMath.ScaleShiftAdd<ReluOp>(Level, X + offset, Residual + offset, Y + offset, Inner, sc, sh);
                else if (Relu) VectorMath.ScaleShift<ReluOp>(Level, X + offset, Y + offset, Inner, sc, sh);
                else VectorMath.ScaleShift(Level, X + offset, Y + offset, Inner, sc, sh);
            }
        }
    }

    private sealed class NormInferJob : IParallelBody
    {
        public SimdLevel Level;
        public float* X, Y;
        public int C, Inner;
        public float[] Scale = [], Shift = [];

        public void Execute(int row, int worker)
        {
            long offset = (long)row * Inner;
            int k = row % C;
            VectorMath.ScaleShift(Level, X + offset, Y + offset, Inner, Scale[k], Shift[k]);
        }
    }

    private sealed class NormBackwardJob : IParallelBody
    {
        public SimdLevel Level;
        public float* X, Dy, Gamma, SaveMean, SaveInvStd, Dx, DGamma, DBeta, ReluOutput, GatedGradient;
        public int N, C, Inner;

        public void Execute(int k, int worker)
        {
            if (ReluOutput == null) Channel<Ungated>(k, Dy);
            else if (GatedGradient == null) Channel<ReluGate>(k, Dy);
            else
            {
                // The gated gradient is an output too (the residual's): gate once into it, then normalize it as is.
                for (int i = 0; i < N; i++)
                {
                    long offset = ((long)i * C + k) * Inner;
                    VectorMath.Gate<ReluGate>(Level, Dy + offset, ReluOutput + offset, GatedGradient + offset, Inner);
                }
                Channel<Ungated>(k, GatedGradient);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Channel<TGate>(int k, float* dyRows) where TGate : IGradientGate
        {
            long m = (long)N * Inner;
            float mean = SaveMean[k];
            double invStd = SaveInvStd[k];
            double sumDy = 0, sumDyX = 0;
            for (int i = 0; i < N; i++)
            {
                long offset = ((long)i * C + k) * Inner;
                var (a, b) = VectorMath.GradientMoments<TGate>(Level, dyRows + offset, ReluOutput + offset, X + offset, Inner, mean);
                sumDy += a; sumDyX += b;
            }
            double dGamma = sumDyX * invStd;
            DGamma[k] = (float)dGamma;
            DBeta[k] = (float)sumDy;
            // dx = gamma·invStd·(dy − Σdy/m − x̂·Σ(dy·x̂)/m), expanded into a·dy + b·x + c.
            double a1 = Gamma[k] * invStd;
            double b1 = -a1 * invStd * dGamma / m;
            double c1 = -a1 * sumDy / m - b1 * mean;
            for (int i = 0; i < N; i++)
            {
                long offset = ((long)i * C + k) * Inner;
                VectorMath.Combine<TGate>(Level, dyRows + offset, ReluOutput + offset, X + offset, Dx + offset, Inner, (float)a1, (float)b1, (float)c1);
            }
        }
    }
}
