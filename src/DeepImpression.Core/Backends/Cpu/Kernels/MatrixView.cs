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
