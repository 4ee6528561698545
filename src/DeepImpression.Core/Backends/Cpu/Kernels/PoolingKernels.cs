using System.Runtime.CompilerServices;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>
/// Pooling over (N·C) independent planes; max pooling lives in <see cref="MaxPoolingKernels"/>. Average pooling
/// divides by the window cells inside the padded extent (padding counts, the cover-all overhang past the padding
/// does not), which is kh·kw whenever the output size rounds down. A window with no cell inside the padded extent
/// (possible only in odd cover-all geometries) yields 0 and passes no gradient.
/// </summary>
internal sealed unsafe class PoolingKernels(CpuContext context)
{
    public void Forward(PoolingMode mode, PoolingGeometry g, float* x, float* y, int planes, int h, int w, int oh, int ow)
    {
        if (mode == PoolingMode.Max)
        {
            MaxPoolingKernels.Forward(context, g, x, y, planes, h, w, oh, ow);
            return;
        }
        var job = new PoolJob { Level = context.Isa, G = g, X = x, Y = y, H = h, W = w, OH = oh, OW = ow, Backward = false };
        RunPlanes(job, planes, (long)h * w);
    }

    /// <summary>dx (overwritten) from dy; max pooling recomputes each window's arg max from x.</summary>
    public void Backward(PoolingMode mode, PoolingGeometry g, float* x, float* dy, float* dx, int planes, int h, int w, int oh, int ow)
    {
        if (mode == PoolingMode.Max)
        {
            MaxPoolingKernels.Backward(context, g, x, dy, dx, planes, h, w, oh, ow);
            return;
        }
        var job = new PoolJob { Level = context.Isa, G = g, X = x, Y = dy, Dx = dx, H = h, W = w, OH = oh, OW = ow, Backward = true };
        RunPlanes(job, planes, (long)h * w);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunPlanes(PoolJob job, int planes, long planeSize)
    {
        if (planes * planeSize < ElementwiseKernels.ParallelGrain) for (int i = 0; i < planes; i++) job.Execute(i, 0);
        else context.Workers.For(planes, job);
    }

    private sealed class PoolJob : IParallelBody
    {
        public SimdLevel Level;
        public PoolingGeometry G;
        public float* X, Y, Dx;
        public int H, W, OH, OW;
        public bool Backward;

        public void Execute(int plane, int worker)
        {
            float* x = X + (long)plane * H * W;
            float* y = Y + (long)plane * OH * OW;
            if (Backward)
            {
                float* dx = Dx + (long)plane * H * W;
                new Span<float>(dx, H * W).Clear();
                AverageBackward(y, dx);
            }
            else AverageForward(x, y);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void AverageForward(float* x, float* y)
        {
            for (int oh = 0; oh < OH; oh++)
            {
                int hs = oh * G.StrideH - G.PadH;
                var (h0, h1) = Clip(hs, G.KernelH, H);
                int rows = Counted(hs, G.KernelH, H, G.PadH);
                for (int ow = 0; ow < OW; ow++)
                {
                    int ws = ow * G.StrideW - G.PadW;
                    var (w0, w1) = Clip(ws, G.KernelW, W);
                    int cells = rows * Counted(ws, G.KernelW, W, G.PadW);
                    double sum = 0;
                    for (int i = h0; i < h1; i++)
                        sum += w1 - w0 >= 16 ? VectorMath.Sum(Level, x + i * W + w0, w1 - w0) : RowSum(x + i * W, w0, w1);
                    y[oh * OW + ow] = cells == 0 ? 0f : (float)(sum / cells);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void AverageBackward(float* dy, float* dx)
        {
            for (int oh = 0; oh < OH; oh++)
            {
                int hs = oh * G.StrideH - G.PadH;
                var (h0, h1) = Clip(hs, G.KernelH, H);
                int rows = Counted(hs, G.KernelH, H, G.PadH);
                for (int ow = 0; ow < OW; ow++)
                {
                    int ws = ow * G.StrideW - G.PadW;
                    var (w0, w1) = Clip(ws, G.KernelW, W);
                    int cells = rows * Counted(ws, G.KernelW, W, G.PadW);
                    if (cells == 0) continue;
                    float share = dy[oh * OW + ow] / cells;
                    for (int i = h0; i < h1; i++)
                        for (int j = w0; j < w1; j++) dx[i * W + j] += share;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static double RowSum(float* row, int w0, int w1)
        {
            double s = 0;
            for (int j = w0; j < w1; j++) s += row[j];
            return s;
        }

        /// <summary>The part [start, start+kernel) ∩ [0, size) of a window along one axis.</summary>
        private static (int From, int To) Clip(int start, int kernel, int size) => (Math.Max(start, 0), Math.Min(start + kernel, size));

        /// <summary>Cells of the window inside the padded extent [−pad, size+pad).</summary>
        private static int Counted(int start, int kernel, int size, int pad) =>
            Math.Max(0, Math.Min(start + kernel, size + pad) - Math.Max(start, -pad));
    }
}
