using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Dnn;

/// <summary>One result of cuDNN's Find: an algorithm, whether it ran, its time, workspace, determinism and math type.</summary>
internal readonly record struct ConvolutionCandidate(int Algorithm, int Status, float Milliseconds, long WorkspaceBytes, bool Deterministic, CuDnnMathType MathType)
{
    /// <summary>CUDNN_DETERMINISTIC in cudnnDeterminism_t (CUDNN_NON_DETERMINISTIC is 0).</summary>
    public const int DeterministicValue = 1;

    public static ConvolutionCandidate From(in CuDnnAlgorithmPerformance r) =>
        new(r.Algorithm, r.Status, r.Milliseconds, (long)r.WorkspaceBytes, r.Determinism == DeterministicValue, r.MathType);

    public bool Succeeded => Status == 0;
}
