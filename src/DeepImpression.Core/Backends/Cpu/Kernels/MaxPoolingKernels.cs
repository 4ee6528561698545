using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>
/// Max pooling, one output row at a time. The window rows of an output row are first reduced to one row (their
/// element-wise max) inside a buffer whose cells outside the input hold −∞, so that padded cells can never win;
/// the windows along the row are then read from that buffer, 16 outputs per vector for strides 1, 2 and 4.
/// The backward pass recomputes each output and sends its gradient to the first cell of the window, in row-major
/// order, that holds the maximum; padded cells hold NaN there, which equals nothing.
/// A window with no input cell at all (only in odd cover-all geometries) yields 0 and passes no gradient.
/// </summary>
internal static unsafe class MaxPoolingKernels
{
    private static readonly PerWorkerScratch Buffers = new();

    public static void Forward(CpuContext context, PoolingGeometry g, float* x, float* y, int planes, int h, int w, int oh, int ow)
    {
        var job = new Job(context, g, x, y, null, null, h, w, oh, ow);
        Run(context, job, planes, (long)h * w);
    }

    public static void Backward(CpuContext context, PoolingGeometry g, float* x, float* dy, float* dx, int planes, int h, int w, int oh, int ow)
    {
        var job = new Job(context, g, x, null, dy, dx, h, w, oh, ow);
        Run(context, job, planes, (long)h * w);
    }

    private static void Run(CpuContext context, Job job, int planes, long planeSize)
    {
        if (planes * planeSize < ElementwiseKernels.ParallelGrain) context.Workers.Serial(planes, job);
        else context.Workers.For(planes, job);
    }

    private sealed class Job(CpuContext context, PoolingGeometry g, float* x, float* y, float* dy, float* dx, int h, int w, int oh, int ow) : IParallelBody
    {
        /// <summary>Padded row length: every cell a window of the row can touch, plus room for whole-vector reads.</summary>
        private readonly int _padded = Math.Max((ow - 1) * g.StrideW + g.KernelW, g.PadW + w) + 16 * Math.Max(1, g.StrideW) + 16;

        public void Execute(int plane, int worker)
        {
            float* buffer = context.Scratch(Buffers, worker).Get(_padded + 3L * (ow + 16));
            float* row = buffer;                    // forward: the window rows' element-wise max, −∞ outside the input;
                                                    // backward: one input row, NaN outside the input
            float* outputs = buffer + _padded;      // the row's outputs (backward: running maxima), room for a last vector
            float* found = outputs + ow + 16;       // backward: 1 once an output has seen an input cell
            int* winner = (int*)(found + ow + 16);  // backward: flat input index of each output's maximum
            float* xs = x + (long)plane * h * w;
            if (dx == null) ForwardPlane(xs, y + (long)plane * oh * ow, row, outputs);
            else BackwardPlane(xs, dy + (long)plane * oh * ow, dx + (long)plane * h * w, row, outputs, found, winner);
        }

        private (int From, int To) WindowRows(int r)
        {
            int start = r * g.StrideH - g.PadH;
            return (Math.Max(start, 0), Math.Min(start + g.KernelH, h));
        }

        /// <summary>Outputs whose window has at least one input column: [first, last).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private (int First, int Last) ColumnsWithInput()
        {
            // Window ow covers input columns [ow·sw − pw, ow·sw − pw + kw); it is empty when it starts at or past W.
            int last = Math.Min(ow, (w + g.PadW + g.StrideW - 1) / g.StrideW);
            int first = 0;
            while (first < last && first * g.StrideW - g.PadW + g.KernelW <= 0) first++;
            return (first, last);
        }

        private static void Fill(float* p, int n, float value)
        {
            if (n > 0) new Span<float>(p, n).Fill(value);
        }

        /// <summary>Sets the cells of a padded row outside the input ([0, pw) and [pw + w, end)) to <paramref name="value"/>.</summary>
        private void FillPadding(float* row, float value)
        {
            Fill(row, g.PadW, value);
            Fill(row + g.PadW + w, _padded - g.PadW - w, value);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ForwardPlane(float* xs, float* ys, float* rowMax, float* outMax)
        {
            FillPadding(rowMax, float.NegativeInfinity);
            var (first, last) = ColumnsWithInput();
            for (int r = 0; r < oh; r++)
            {
                float* yr = ys + (long)r * ow;
                var (h0, h1) = WindowRows(r);
                if (h0 >= h1)
                {
                    Fill(yr, ow, 0f);
                    continue;
                }
                ReduceRows(xs, h0, h1, rowMax + g.PadW);
                WindowMax(rowMax, outMax);
                VectorMath.Copy(outMax, yr, ow);
                Fill(yr, first, 0f);
                Fill(yr + last, ow - last, 0f);
            }
        }

        /// <summary>dst[0..w) = max over input rows [h0, h1) (element-wise).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ReduceRows(float* xs, int h0, int h1, float* dst)
        {
            VectorMath.Copy(xs + (long)h0 * w, dst, w);
            for (int r = h0 + 1; r < h1; r++)
            {
                float* src = xs + (long)r * w;
                int i = 0;
                if (context.Isa == SimdLevel.Avx512)
                    for (; i <= w - 16; i += 16) Vector512.Max(Vector512.Load(dst + i), Vector512.Load(src + i)).Store(dst + i);
                else if (context.Isa == SimdLevel.Avx2)
                    for (; i <= w - 8; i += 8) Vector256.Max(Vector256.Load(dst + i), Vector256.Load(src + i)).Store(dst + i);
                for (; i < w; i++) if (src[i] > dst[i]) dst[i] = src[i];
            }
        }

        /// <summary>out[o] = max over j &lt; kw of row[o·sw + j] for every output o of the row (out has room for
        /// 16 values past the row: the last vector may be partly past it).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void WindowMax(float* row, float* output)
        {
            int sw = g.StrideW, kw = g.KernelW;
            int o = 0;
            if (context.Isa == SimdLevel.Avx512 && (sw == 1 || sw == 2 || sw == 4))
            {
                for (; o < ow; o += 16)
                {
                    float* start = row + o * sw;
                    var m = LoadStrided(start, sw);
                    for (int j = 1; j < kw; j++) m = Vector512.Max(m, LoadStrided(start + j, sw));
                    m.Store(output + o);
                }
            }
            for (; o < ow; o++)
            {
                float* start = row + o * sw;
                float m = start[0];
                for (int j = 1; j < kw; j++) if (start[j] > m) m = start[j];
                output[o] = m;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void BackwardPlane(float* xs, float* dys, float* dxs, float* rowValues, float* best, float* found, int* winner)
        {
            new Span<float>(dxs, h * w).Clear();
            FillPadding(rowValues, float.NaN);
            var (first, last) = ColumnsWithInput();
            if (first >= last) return;
            for (int r = 0; r < oh; r++)
            {
                var (h0, h1) = WindowRows(r);
                if (h0 >= h1) continue;
                Fill(found, ow + 16, 0f);
                for (int ih = h0; ih < h1; ih++)
                {
                    VectorMath.Copy(xs + (long)ih * w, rowValues + g.PadW, w);
                    TrackMaxima(rowValues, ih * w - g.PadW, best, found, winner, first, last);
                }
                // Windows overlap, so two outputs may share a winning cell: place the gradients one by one.
                float* dyr = dys + (long)r * ow;
                for (int o = first; o < last; o++)
                    if (found[o] != 0f) dxs[winner[o]] += dyr[o];
            }
        }

        /// <summary>
        /// Folds one input row's window cells, in column order, into each output's running maximum: a cell takes
        /// over when it is the first input cell seen or strictly greater, so ties keep the earliest cell in
        /// row-major window order. Padded cells are NaN and never take over. winner[o] is the flat input index
        /// (row·w + column, with <paramref name="rowOffset"/> = row·w − pw) of the current maximum.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void TrackMaxima(float* values, int rowOffset, float* best, float* found, int* winner, int first, int last)
        {
            int sw = g.StrideW, kw = g.KernelW;
            int o = first;
            if (context.Isa == SimdLevel.Avx512 && (sw == 1 || sw == 2 || sw == 4))
            {
                var lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) * sw;
                for (; o < last; o += 16)
                {
                    var top = Vector512.Load(best + o);
                    var seen = Vector512.Load(found + o);
                    var index = Vector512.Load(winner + o);
                    var cell = lanes + Vector512.Create(rowOffset + o * sw);
                    for (int j = 0; j < kw; j++, cell += Vector512<int>.One)
                    {
                        var v = LoadStrided(values + o * sw + j, sw);
                        var real = Vector512.Equals(v, v);
                        var take = Vector512.GreaterThan(v, top) | Vector512.AndNot(real, seen);
                        top = Vector512.ConditionalSelect(take, v, top);
                        index = Vector512.ConditionalSelect(take.AsInt32(), cell, index);
                        seen |= real;
                    }
                    top.Store(best + o);
                    seen.Store(found + o);
                    index.Store(winner + o);
                }
                return;
            }
            for (; o < last; o++)
            {
                float* cells = values + o * sw;
                for (int j = 0; j < kw; j++)
                {
                    float v = cells[j];
                    if (float.IsNaN(v)) continue;
                    if (found[o] == 0f || v > best[o])
                    {
                        best[o] = v;
                        winner[o] = rowOffset + o * sw + j;
                        found[o] = 1f;
                    }
                }
            }
        }
    }

    private static readonly Vector512<int> EverySecond = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly Vector512<int> EveryFourth = Vector512.Create(0, 4, 8, 12, 16, 20, 24, 28, 0, 0, 0, 0, 0, 0, 0, 0);
    /// <summary>(p[0], p[s], p[2s], ..., p[15s]) for s in {1, 2, 4}.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> LoadStrided(float* p, int s)
    {
        if (s == 1) return Vector512.Load(p);
        if (s == 2) return Avx512F.PermuteVar16x32x2(Vector512.Load(p), EverySecond, Vector512.Load(p + 16));
        var low = Avx512F.PermuteVar16x32x2(Vector512.Load(p), EveryFourth, Vector512.Load(p + 16));
        var high = Avx512F.PermuteVar16x32x2(Vector512.Load(p + 32), EveryFourth, Vector512.Load(p + 48));
        return Avx512F.InsertVector256(low, high.GetLower(), 1);
    }
}
