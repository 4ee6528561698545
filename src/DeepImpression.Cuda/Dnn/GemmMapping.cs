namespace DeepImpression.Cuda.Dnn;

/// <summary>
/// A row-major product c = op(a)·op(b), (M,K)·(K,N) -> (M,N), as the column-major call cuBLAS understands. A
/// row-major matrix read column-major is its transpose, so cuBLAS computes cᵀ = op(b)ᵀ·op(a)ᵀ: the operands swap
/// places, m and n swap, and each leading dimension is the stored row length.
/// </summary>
internal readonly record struct GemmMapping(bool TransposeFirst, bool TransposeSecond, int M, int N, int K, int LeadingFirst, int LeadingSecond, int LeadingResult)
{
    /// <summary>The cuBLAS call for c (M,N) = op(a) (M,K) · op(b) (K,N), all row-major; <paramref name="aColumns"/> and
    /// <paramref name="bColumns"/> are the columns of a and b as stored (K or M, N or K when transposed).</summary>
    public static GemmMapping RowMajor(bool transposeA, bool transposeB, int m, int n, int k, int aColumns, int bColumns) =>
        // First cuBLAS operand: our b; second: our a.
        new(transposeB, transposeA, M: n, N: m, K: k, LeadingFirst: Math.Max(1, bColumns), LeadingSecond: Math.Max(1, aColumns), LeadingResult: Math.Max(1, n));
}
