using System.Runtime.CompilerServices;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>A strided view of a float matrix: element (i, j) is at <c>Data[i·RowStride + j·ColumnStride]</c>.
/// A transposed operand is the same memory with the strides swapped.</summary>
internal readonly unsafe struct MatrixView(float* data, nint rowStride, nint columnStride)
{
    public readonly float* Data = data;
    public readonly nint RowStride = rowStride;
    public readonly nint ColumnStride = columnStride;

    public static MatrixView RowMajor(float* data, nint columns) => new(data, columns, 1);

    /// <summary>The transpose of a row-major matrix with <paramref name="columns"/> columns.</summary>
    public static MatrixView Transposed(float* data, nint columns) => new(data, 1, columns);
}

/// <summary>Copies blocks of the operands into the panel layouts the micro-kernels stream through.</summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs rows [i0, i0+mc) and columns [k0, k0+kc) of A, scaled by alpha, into ceil(mc/mr) panels of mr x kc
    /// stored column after column; rows past mc are zero so the kernel may run whole tiles.
    /// </summary>
    public static void PackA(MatrixView a, int i0, int mc, int k0, int kc, float alpha, int mr, float* dst)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* panel = dst + (nint)ir * kc;
            float* src = a.Data + (nint)(i0 + ir) * a.RowStride + (nint)k0 * a.ColumnStride;
            if (a.RowStride == 1 && rows == mr)
            {
                // A transposed: each column of the panel is contiguous in memory.
                for (int p = 0; p < kc; p++)
                {
                    float* s = src + p * a.ColumnStride;
                    float* d = panel + p * mr;
                    for (int i = 0; i < mr; i++) d[i] = alpha * s[i];
                }
            }
            else
            {
                for (int i = 0; i < rows; i++)
                {
                    float* s = src + i * a.RowStride;
                    float* d = panel + i;
                    if (a.ColumnStride == 1)
                        for (int p = 0; p < kc; p++) d[p * mr] = alpha * s[p];
                    else
                        for (int p = 0; p < kc; p++) d[p * mr] = alpha * s[p * a.ColumnStride];
                }
                for (int i = rows; i < mr; i++)
                    for (int p = 0; p < kc; p++) panel[p * mr + i] = 0f;
            }
        }
    }

    /// <summary>
    /// Packs rows [k0, k0+kc) and columns [j0, j0+nc) of B into ceil(nc/nr) panels of kc x nr stored row after
    /// row; columns past nc are zero.
    /// </summary>
    public static void PackB(MatrixView b, int k0, int kc, int j0, int nc, int nr, float* dst)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* panel = dst + (nint)jr * kc;
            float* src = b.Data + (nint)k0 * b.RowStride + (nint)(j0 + jr) * b.ColumnStride;
            if (b.ColumnStride == 1)
            {
                nint bytes = cols * sizeof(float);
                for (int p = 0; p < kc; p++)
                {
                    float* d = panel + p * nr;
                    Unsafe.CopyBlockUnaligned(d, src + p * b.RowStride, (uint)bytes);
                    for (int j = cols; j < nr; j++) d[j] = 0f;
                }
            }
            else
            {
                for (int j = 0; j < cols; j++)
                {
                    float* s = src + j * b.ColumnStride;
                    float* d = panel + j;
                    if (b.RowStride == 1)
                        for (int p = 0; p < kc; p++) d[p * nr] = s[p];
                    else
                        for (int p = 0; p < kc; p++) d[p * nr] = s[p * b.RowStride];
                }
                for (int j = cols; j < nr; j++)
                    for (int p = 0; p < kc; p++) panel[p * nr + j] = 0f;
            }
        }
    }
}
