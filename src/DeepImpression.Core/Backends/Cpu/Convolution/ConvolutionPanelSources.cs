using System.Runtime.CompilerServices;
using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// A batch of (channels, plane) stacks, data[n, c, p], seen as a channels x (N·plane) matrix whose column
/// q = n·plane + p runs over every image (counted from <paramref name="firstColumn"/>), channels along the depth:
/// the input of a 1x1 convolution, or a convolution's output gradient.
/// </summary>
internal readonly unsafe struct BatchedPlanesSource(float* data, int channels, int plane, int firstColumn)
    : IPanelSource, IColumnRange<BatchedPlanesSource>
{
    public BatchedPlanesSource From(int column) => new(data, channels, plane, firstColumn + column);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(int d0, int depth, int w0, int width, int panel, float* dst, float* row)
    {
        w0 += firstColumn;
        for (int d = 0; d < depth; d++)
        {
            int c = d0 + d;
            for (int w = 0; w < width;)
            {
                int q = w0 + w, n = q / plane, p = q - n * plane;
                int run = Math.Min(plane - p, width - w);
                PanelLayout.PutRun(data + ((long)n * channels + c) * plane + p, w, run, d, depth, panel, dst);
                w += run;
            }
        }
        PanelLayout.PadTail(width, depth, panel, dst);
    }
}

/// <summary>
/// The lowered (im2col) matrix of a batch, never materialised: row r = (c, i, j) of the patch along the depth,
/// column q = n·OH·OW + p over every output position of every image, counted from <paramref name="firstColumn"/>.
/// </summary>
internal readonly unsafe struct Im2ColSource(SimdLevel level, ConvShape shape, float* x, int firstColumn)
    : IPanelSource, IColumnRange<Im2ColSource>
{
    public Im2ColSource From(int column) => new(level, shape, x, firstColumn + column);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(int d0, int depth, int w0, int width, int panel, float* dst, float* row)
    {
        var s = shape;
        w0 += firstColumn;
        for (int d = 0; d < depth; d++)
        {
            Im2Col.LowerBatchRow(level, s, x, d0 + d, w0, width, row);
            PanelLayout.PutRun(row, 0, width, d, depth, panel, dst);
        }
        PanelLayout.PadTail(width, depth, panel, dst);
    }
}

/// <summary>
/// The filter of the transposed convolution, packed straight from the forward filter w (K, C, kh, kw): row c, depth
/// index d = k·kh·kw + t reads w[k, c, kh·kw − 1 − t] (the kernel turned 180°, the channel axes swapped).
/// </summary>
internal readonly unsafe struct FlippedFilterSource(float* w, int channels, int kernel) : IPanelSource
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(int d0, int depth, int w0, int width, int panel, float* dst, float* row)
    {
        // Panel by panel, a depth row at a time: the panel's values of one row are kernel apart in w, and the
        // next kh·kw rows read the same few cache lines again.
        for (int c0 = 0; c0 < width; c0 += panel)
        {
            int columns = Math.Min(panel, width - c0);
            float* o = dst + (long)(c0 / panel) * depth * panel;
            int k = d0 / kernel, t = d0 - k * kernel;
            for (int d = 0; d < depth; d++, o += panel)
            {
                float* src = w + ((long)k * channels + w0 + c0) * kernel + kernel - 1 - t;
                for (int j = 0; j < columns; j++) o[j] = src[(long)j * kernel];
                if (++t == kernel) (k, t) = (k + 1, 0);
            }
        }
        PanelLayout.PadTail(width, depth, panel, dst);
    }
}

/// <summary>
/// The lowered (im2col) matrix of a batch read straight out of its <see cref="PhaseGrid"/>: row r of the patch along
/// the depth, column q = n·OH·OW + p over every output position of every image. Every output row of every lowered
/// row is one run of the padded planes, so packing is plain copies with no bounds to clip, and the lowered matrix
/// (kh·kw times the input) is never written out.
/// </summary>
internal readonly unsafe struct PhaseGridSource(ConvShape shape, PhaseGrid grid, float* cells, int* offsets) : IPanelSource
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(int d0, int depth, int w0, int width, int panel, float* dst, float* row)
    {
        int plane = shape.OutputPlane, ow = shape.OW;
        int* rowOffsets = offsets + d0;
        // One run of an output row at a time, cut at panel boundaries; all depth rows copy the same run.
        for (int w = 0; w < width;)
        {
            int q = w0 + w, image = q / plane, p = q - image * plane;
            int oh = p / ow, column = p - oh * ow;
            int panelIndex = w / panel, offset = w - panelIndex * panel;
            int run = Math.Min(Math.Min(ow - column, width - w), panel - offset);
            float* source = cells + (long)image * grid.Plane + (long)oh * grid.Wq + column;
            float* target = dst + (long)panelIndex * depth * panel + offset;
            for (int d = 0; d < depth; d++) VectorMath.Copy(source + rowOffsets[d], target + (long)d * panel, run);
            w += run;
        }
        PanelLayout.PadTail(width, depth, panel, dst);
    }
}

/// <summary>
/// The transpose of <see cref="PhaseGridSource"/>: output positions q along the depth, patch rows r along the width,
/// the B operand of a filter gradient dW = dy · loweredᵀ. Eight patch rows at a time are copied out of the grid
/// (runs along q) into a small buffer and turned into panel rows through an 8 x 8 transpose in registers.
/// </summary>
internal readonly unsafe struct TransposedPhaseGridSource(CpuContext context, ConvShape shape, PhaseGrid grid, float* cells, int* offsets) : IPanelSource
{
    private static readonly PerWorkerScratch Rows = new();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(int d0, int depth, int w0, int width, int panel, float* dst, float* row)
    {
        // The runs of the depth range: every patch row copies the same ones, from its own offset.
        int plane = shape.OutputPlane, ow = shape.OW;
        int maxRuns = depth / Math.Max(1, ow) + 2;
        float* rows = context.Scratch(Rows, context.Workers.CurrentWorker).Get(8L * depth + 3L * maxRuns + 16);
        int* runStart = (int*)(rows + 8L * depth), runSource = runStart + maxRuns, runLength = runSource + maxRuns;
        int runs = 0;
        for (int t = 0; t < depth; runs++)
        {
            int q = d0 + t, image = q / plane, p = q - image * plane, oh = p / ow, column = p - oh * ow;
            int run = Math.Min(ow - column, depth - t);
            runStart[runs] = t;
            runSource[runs] = image * grid.Plane + oh * grid.Wq + column;
            runLength[runs] = run;
            t += run;
        }
        bool transpose = panel % 8 == 0 && context.Isa >= SimdLevel.Avx2;
        for (int j0 = 0; j0 < width; j0 += 8)
        {
            int group = Math.Min(8, width - j0);
            for (int j = 0; j < group; j++)
            {
                float* source = cells + offsets[w0 + j0 + j];
                float* target = rows + (long)j * depth;
                for (int u = 0; u < runs; u++) VectorMath.Copy(source + runSource[u], target + runStart[u], runLength[u]);
            }
            if (transpose && group == 8)
            {
                int q = j0 / panel;
                PanelLayout.Transpose8(rows, depth, depth, 1f, dst + (long)q * depth * panel + (j0 - q * panel), panel);
                continue;
            }
            for (int j = 0; j < group; j++)
            {
                int w = j0 + j, q = w / panel;
                float* o = dst + (long)q * depth * panel + (w - q * panel);
                for (int d = 0; d < depth; d++) o[(long)d * panel] = rows[(long)j * depth + d];
            }
        }
        PanelLayout.PadTail(width, depth, panel, dst);
    }
}
