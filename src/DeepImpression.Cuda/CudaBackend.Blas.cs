using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Dnn;
using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda;

// Matrix products through cuBLAS SGEMM, row-major mapped onto column-major by GemmMapping.
public sealed unsafe partial class CudaBackend
{
    /// <inheritdoc />
    public void Gemm(bool transposeA, bool transposeB, float alpha, Tensor a, Tensor b, float beta, Tensor c)
    {
        int m = c.Dim(0), n = c.Dim(1);
        int k = transposeA ? a.Dim(0) : a.Dim(1);
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            // An empty sum: c = beta·c, and with beta = 0 the old c (even NaN) must not show through.
            if (beta == 0f) Fill(c, 0f);
            else Affine(c, beta, 0f, c);
            return;
        }
        var map = GemmMapping.RowMajor(transposeA, transposeB, m, n, k, a.Dim(1), b.Dim(1));
        ulong pa = Address(a), pb = Address(b), pc = Address(c);
        CuBlas.Check(CuBlas.cublasSgemm(_cublas.Value,
            map.TransposeFirst ? CuBlasOperation.Transpose : CuBlasOperation.None,
            map.TransposeSecond ? CuBlasOperation.Transpose : CuBlasOperation.None,
            map.M, map.N, map.K, &alpha, pb, map.LeadingFirst, pa, map.LeadingSecond, &beta, pc, map.LeadingResult), "cublasSgemm_v2");
    }

    /// <summary>c[i] = alpha·op(a[i])·op(b[i]) + beta·c[i] for a batch of equally shaped row-major matrices stored
    /// back to back (rank-3 tensors, batch first): cublasSgemmStridedBatched with the same operand swap.</summary>
    public void BatchedGemm(bool transposeA, bool transposeB, float alpha, Tensor a, Tensor b, float beta, Tensor c)
    {
        int batch = c.Dim(0), m = c.Dim(1), n = c.Dim(2);
        int k = transposeA ? a.Dim(1) : a.Dim(2);
        if (batch == 0 || m == 0 || n == 0) return;
        var map = GemmMapping.RowMajor(transposeA, transposeB, m, n, k, a.Dim(2), b.Dim(2));
        ulong pa = Address(a), pb = Address(b), pc = Address(c);
        CuBlas.Check(CuBlas.cublasSgemmStridedBatched(_cublas.Value,
            map.TransposeFirst ? CuBlasOperation.Transpose : CuBlasOperation.None,
            map.TransposeSecond ? CuBlasOperation.Transpose : CuBlasOperation.None,
            map.M, map.N, map.K, &alpha, pb, map.LeadingFirst, (long)b.Dim(1) * b.Dim(2), pa, map.LeadingSecond, (long)a.Dim(1) * a.Dim(2),
            &beta, pc, map.LeadingResult, (long)m * n, batch), "cublasSgemmStridedBatched");
    }
}
