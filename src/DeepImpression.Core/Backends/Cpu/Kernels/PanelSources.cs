using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>
/// A GEMM operand as the packing step sees it: element (d, w) with d along the reduction ("depth") dimension and w
/// along the output dimension ("width": rows of A, columns of B). Packing cuts the width into panels of
/// <c>panel</c> consecutive w; a panel holds depth x panel floats, depth index outermost, zero past the width.
/// Sources other than a plain matrix (an image lowered on the fly, a batch of planes) are packed straight from
/// the tensor, so no lowered matrix is ever materialised.
/// </summary>
internal unsafe interface IPanelSource
{
    /// <param name="d0">First depth index.</param>
    /// <param name="depth">Depth indices to pack.</param>
    /// <param name="w0">First width index.</param>
    /// <param name="width">Width indices to pack; panels past it are zero-filled up to a multiple of <paramref name="panel"/>.</param>
    /// <param name="panel">Panel width (the micro-kernel's MR for A, NR for B).</param>
    /// <param name="dst">Destination, ceil(width/panel)·panel·depth floats.</param>
    /// <param name="row">Scratch for one lowered row, max(depth, width) floats.</param>
    void Pack(int d0, int depth, int w0, int width, int panel, float* dst, float* row);
}

/// <summary>A source over the output positions of a batch whose columns can be renumbered to start at a given position.</summary>
internal interface IColumnRange<TSelf> where TSelf : struct
{
    /// <summary>The same source with column 0 at position <paramref name="column"/> of this one.</summary>
    TSelf From(int column);
}

/// <summary>Helpers that place runs of values into the panel layout.</summary>
internal static unsafe class PanelLayout
{
    /// <summary>Copies values[0..count) to width positions [w, w+count) of depth row <paramref name="d"/>, across panel boundaries.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void PutRun(float* values, int w, int count, int d, int depth, int panel, float* dst)
    {
        while (count > 0)
        {
            int q = w / panel, offset = w - q * panel;
            int run = Math.Min(panel - offset, count);
            VectorMath.Copy(values, dst + ((long)q * depth + d) * panel + offset, run);
            values += run;
            w += run;
            count -= run;
        }
    }

    /// <summary>
    /// dst[d·ldd + i] = scale·src[i·lds + d] for i &lt; 8 and d &lt; depth: eight rows, contiguous along d, written
    /// as depth rows of eight; 8 x 8 blocks go through registers (unpack, shuffle, lane permute).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose8(float* src, nint lds, int depth, float scale, float* dst, nint ldd)
    {
        int d = 0;
        var k = Vector256.Create(scale);
        for (; d <= depth - 8; d += 8)
        {
            float* s0 = src + d;
            var r0 = Vector256.Load(s0) * k; var r1 = Vector256.Load(s0 + lds) * k;
            var r2 = Vector256.Load(s0 + 2 * lds) * k; var r3 = Vector256.Load(s0 + 3 * lds) * k;
            var r4 = Vector256.Load(s0 + 4 * lds) * k; var r5 = Vector256.Load(s0 + 5 * lds) * k;
            var r6 = Vector256.Load(s0 + 6 * lds) * k; var r7 = Vector256.Load(s0 + 7 * lds) * k;
            var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
            var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
            var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
            var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
            var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
            var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
            var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
            var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
            float* o = dst + d * ldd;
            Avx.Permute2x128(u0, u4, 0x20).Store(o);
            Avx.Permute2x128(u1, u5, 0x20).Store(o + ldd);
            Avx.Permute2x128(u2, u6, 0x20).Store(o + 2 * ldd);
            Avx.Permute2x128(u3, u7, 0x20).Store(o + 3 * ldd);
            Avx.Permute2x128(u0, u4, 0x31).Store(o + 4 * ldd);
            Avx.Permute2x128(u1, u5, 0x31).Store(o + 5 * ldd);
            Avx.Permute2x128(u2, u6, 0x31).Store(o + 6 * ldd);
            Avx.Permute2x128(u3, u7, 0x31).Store(o + 7 * ldd);
        }
        for (; d < depth; d++)
            for (int i = 0; i < 8; i++) dst[d * ldd + i] = scale * src[i * lds + d];
    }

    /// <summary>Zeroes the width positions [width, ceil(width/panel)·panel) of every depth row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PadTail(int width, int depth, int panel, float* dst)
    {
        int q = width / panel, used = width - q * panel;
        if (used == 0) return;
        float* p = dst + (long)q * depth * panel;
        for (int d = 0; d < depth; d++)
            for (int j = used; j < panel; j++) p[(long)d * panel + j] = 0f;
    }
}

/// <summary>A strided matrix, optionally scaled: element (d, w) = scale · data[d·depthStride + w·widthStride].</summary>
/// <remarks>The SIMD level decides whether a transposing pack goes through 8 x 8 register transposes.</remarks>
internal readonly unsafe struct StridedSource(SimdLevel level, float* data, nint depthStride, nint widthStride, float scale = 1f) : IPanelSource
{
    /// <summary>B = op(b) of a GEMM: depth runs down its rows, width along its columns.</summary>
    public static StridedSource ForB(SimdLevel level, MatrixView b) => new(level, b.Data, b.RowStride, b.ColumnStride);

    /// <summary>A = op(a) of a GEMM, scaled by alpha: depth runs along its columns, width down its rows.</summary>
    public static StridedSource ForA(SimdLevel level, MatrixView a, float alpha) => new(level, a.Data, a.ColumnStride, a.RowStride, alpha);

    /// <summary>Element (d0, w0) when this is a plain matrix a micro-kernel can read in place (unit stride along
    /// the width, unscaled), with the step between depth rows; otherwise null.</summary>
    public float* InPlace(int d0, int w0, out nint rowStride)
    {
        rowStride = depthStride;
        return widthStride == 1 && scale == 1f ? data + d0 * depthStride + w0 : null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(int d0, int depth, int w0, int width, int panel, float* dst, float* row)
    {
        float* origin = data + d0 * depthStride + w0 * widthStride;
        if (widthStride == 1 && scale == 1f)
        {
            for (int d = 0; d < depth; d++) PanelLayout.PutRun(origin + d * depthStride, 0, width, d, depth, panel, dst);
        }
        else if (widthStride == 1)
        {
            for (int d = 0; d < depth; d++)
            {
                float* src = origin + d * depthStride;
                for (int w = 0; w < width; w++) row[w] = scale * src[w];
                PanelLayout.PutRun(row, 0, width, d, depth, panel, dst);
            }
        }
        else
        {
            // Depth is the contiguous (or the only strided) direction: walk down each width position, eight at a
            // time through an 8 x 8 transpose in registers where the layout allows it.
            int w = 0;
            if (depthStride == 1 && panel % 8 == 0 && level >= SimdLevel.Avx2)
                for (; w <= width - 8; w += 8)
                {
                    int q = w / panel;
                    PanelLayout.Transpose8(origin + w * widthStride, widthStride, depth, scale,
                        dst + (long)q * depth * panel + (w - q * panel), panel);
                }
            for (; w < width; w++)
            {
                float* src = origin + w * widthStride;
                int q = w / panel;
                float* o = dst + (long)q * depth * panel + (w - q * panel);
                if (depthStride == 1)
                    for (int d = 0; d < depth; d++) o[(long)d * panel] = scale * src[d];
                else
                    for (int d = 0; d < depth; d++) o[(long)d * panel] = scale * src[d * depthStride];
            }
        }
        PanelLayout.PadTail(width, depth, panel, dst);
    }
}
