namespace DeepImpression.Cuda.Dnn;

/// <summary>
/// cuDNN's convolution algorithms by direction (cudnnConvolutionFwdAlgo_t, cudnnConvolutionBwdDataAlgo_t,
/// cudnnConvolutionBwdFilterAlgo_t, the same numbers in cuDNN 8 and 9), and the fixed order the deterministic plan
/// prefers them in: direct summations first (im2col-style GEMMs: their rounding error is that of a dot product, the
/// bound the parity tests check), then Winograd, then FFT. Algorithms that use atomics (backward data ALGO_0,
/// backward filter ALGO_0 and ALGO_3) are absent: cuDNN reports them CUDNN_NON_DETERMINISTIC.
/// </summary>
public static class ConvolutionAlgorithmCatalog
{
    private static readonly string[] ForwardNames =
        ["IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM", "GEMM", "DIRECT", "FFT", "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED"];
    private static readonly string[] BackwardDataNames = ["ALGO_0", "ALGO_1", "FFT", "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED"];
    private static readonly string[] BackwardFilterNames = ["ALGO_0", "ALGO_1", "FFT", "ALGO_3", "WINOGRAD", "WINOGRAD_NONFUSED", "FFT_TILING"];

    /// <summary>The most results one Find call can return (CUDNN_CONVOLUTION_FWD_ALGO_COUNT, the largest count).</summary>
    public const int MaxCandidates = 8;

    /// <summary>The algorithm's name without its enum prefix, e.g. IMPLICIT_PRECOMP_GEMM.</summary>
    public static string Name(ConvolutionDirection direction, int algorithm)
    {
        var names = direction switch
        {
            ConvolutionDirection.Forward => ForwardNames,
            ConvolutionDirection.BackwardData => BackwardDataNames,
            _ => BackwardFilterNames,
        };
        return algorithm >= 0 && algorithm < names.Length ? names[algorithm] : $"ALGO_{algorithm}";
    }

    /// <summary>The deterministic plan's preference, most preferred first.</summary>
    public static IReadOnlyList<int> DeterministicPreference(ConvolutionDirection direction) => direction switch
    {
        // IMPLICIT_PRECOMP_GEMM, IMPLICIT_GEMM, GEMM, DIRECT, WINOGRAD_NONFUSED, WINOGRAD, FFT_TILING, FFT
        ConvolutionDirection.Forward => [1, 0, 2, 3, 7, 6, 5, 4],
        // ALGO_1, WINOGRAD_NONFUSED, WINOGRAD, FFT_TILING, FFT
        ConvolutionDirection.BackwardData => [1, 5, 4, 3, 2],
        // ALGO_1, WINOGRAD_NONFUSED, FFT_TILING, FFT
        _ => [1, 5, 6, 2],
    };

    /// <summary>"forward", "backward-data", "backward-filter": the names DEEPIMPRESSION_CONV_ALGORITHMS uses.</summary>
    public static string Label(ConvolutionDirection direction) => direction switch
    {
        ConvolutionDirection.Forward => "forward",
        ConvolutionDirection.BackwardData => "backward-data",
        _ => "backward-filter",
    };
}
