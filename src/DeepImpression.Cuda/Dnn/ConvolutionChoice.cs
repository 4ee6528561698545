using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Dnn;

/// <summary>The algorithm a convolution runs with, its workspace, and the math type to run it in.</summary>
internal readonly record struct ConvolutionChoice(int Algorithm, long WorkspaceBytes, CuDnnMathType MathType)
{
    /// <summary>
    /// The fastest usable result of a cudnnFind*AlgorithmEx call (cuDNN sorts them by time): succeeded, fits the
    /// workspace limit, and, unless TF32 is allowed, runs in plain FP32 (FMA math; DEFAULT only where no FMA
    /// result exists, which is how cuDNN labels plain kernels on GPUs without tensor cores).
    /// </summary>
    public static ConvolutionChoice Pick(ReadOnlySpan<CuDnnAlgorithmPerformance> results, long workspaceLimit, bool allowTf32, string what)
    {
        bool Usable(in CuDnnAlgorithmPerformance r) => r.Status == 0 && (long)r.WorkspaceBytes <= workspaceLimit;

        foreach (ref readonly var r in results)
            if (Usable(r) && (allowTf32 || r.MathType == CuDnnMathType.Fma))
                return new ConvolutionChoice(r.Algorithm, (long)r.WorkspaceBytes, allowTf32 ? r.MathType : CuDnnMathType.Fma);
        if (!allowTf32)
            foreach (ref readonly var r in results)
                if (Usable(r) && r.MathType == CuDnnMathType.Default)
                    return new ConvolutionChoice(r.Algorithm, (long)r.WorkspaceBytes, CuDnnMathType.Fma);
        throw new InvalidOperationException(
            $"cuDNN found no usable algorithm for {what} within a {workspaceLimit / 1048576} MiB workspace " +
            $"({results.Length} candidates{(allowTf32 ? "" : ", FP32 only")}).");
    }
}
