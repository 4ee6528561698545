using DeepImpression.Cuda.Dnn;

namespace DeepImpression.Cuda.Tests.HostSide;

/// <summary>
/// Runs the column-major call that <see cref="GemmMapping"/> describes through a naive column-major SGEMM (what
/// cuBLAS computes, by its documentation) on row-major buffers, and compares with a naive row-major product.
/// </summary>
[TestFixture]
public class GemmMappingTests
{
    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public void TheSwappedColumnMajorCallComputesTheRowMajorProduct(bool transposeA, bool transposeB)
    {
        const int m = 5, n = 3, k = 4;
        var rng = new Random(7);
        // Stored shapes: a is (M,K), or (K,M) when transposed; b is (K,N), or (N,K).
        int aRows = transposeA ? k : m, aCols = transposeA ? m : k;
        int bRows = transposeB ? n : k, bCols = transposeB ? k : n;
        var a = Enumerable.Range(0, aRows * aCols).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var b = Enumerable.Range(0, bRows * bCols).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var c = Enumerable.Range(0, m * n).Select(_ => (float)rng.NextDouble()).ToArray();
        const float alpha = 1.5f, beta = 0.25f;

        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double)(transposeA ? a[p * aCols + i] : a[i * aCols + p]) * (transposeB ? b[j * bCols + p] : b[p * bCols + j]);
                expected[i * n + j] = alpha * s + beta * c[i * n + j];
            }

        var map = GemmMapping.RowMajor(transposeA, transposeB, m, n, k, aCols, bCols);
        ColumnMajorSgemm(map.TransposeFirst, map.TransposeSecond, map.M, map.N, map.K, alpha, b, map.LeadingFirst, a, map.LeadingSecond, beta, c, map.LeadingResult);

        for (int i = 0; i < m * n; i++) Assert.That(c[i], Is.EqualTo(expected[i]).Within(1e-5), $"element {i}");
    }

    /// <summary>C(m×n) = alpha·op(A)·op(B) + beta·C, every matrix column-major with the given leading dimension.</summary>
    private static void ColumnMajorSgemm(bool transA, bool transB, int m, int n, int k, float alpha, float[] A, int lda,
        float[] B, int ldb, float beta, float[] C, int ldc)
    {
        Assert.That(lda, Is.GreaterThanOrEqualTo(Math.Max(1, transA ? k : m)), "lda below cuBLAS's minimum");
        Assert.That(ldb, Is.GreaterThanOrEqualTo(Math.Max(1, transB ? n : k)), "ldb below cuBLAS's minimum");
        Assert.That(ldc, Is.GreaterThanOrEqualTo(Math.Max(1, m)), "ldc below cuBLAS's minimum");
        var result = new double[m * n];
        for (int col = 0; col < n; col++)
            for (int row = 0; row < m; row++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = transA ? A[p + row * lda] : A[row + p * lda];
                    double bv = transB ? B[col + p * ldb] : B[p + col * ldb];
                    s += av * bv;
                }
                result[row + col * m] = alpha * s + beta * C[row + col * ldc];
            }
        for (int col = 0; col < n; col++)
            for (int row = 0; row < m; row++) C[row + col * ldc] = (float)result[row + col * m];
    }
}
