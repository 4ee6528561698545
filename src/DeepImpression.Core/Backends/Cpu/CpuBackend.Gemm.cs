using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public unsafe void Gemm(bool transposeA, bool transposeB, float alpha, Tensor a, Tensor b, float beta, Tensor c)
    {
        int m = c.Dim(0), n = c.Dim(1);
        int k = transposeA ? a.Dim(0) : a.Dim(1);
        // A transposed operand is the stored matrix read with its strides swapped; packing absorbs the difference.
        var opA = transposeA ? MatrixView.Transposed(Ptr(a), a.Dim(1)) : MatrixView.RowMajor(Ptr(a), a.Dim(1));
        var opB = transposeB ? MatrixView.Transposed(Ptr(b), b.Dim(1)) : MatrixView.RowMajor(Ptr(b), b.Dim(1));
        Sgemm.Multiply(m, n, k, alpha, opA, opB, beta, Ptr(c), n);
    }
}
