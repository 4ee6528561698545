namespace DeepImpression.Cuda;

/// <summary>Settings of the CUDA backend.</summary>
public sealed record CudaBackendOptions
{
    public const string Tf32Variable = "DEEPIMPRESSION_TF32";

    /// <summary>Let cuBLAS and cuDNN round FP32 inputs to TF32 on tensor cores (Ampere and newer): much faster,
    /// about three decimal digits of input precision. Off by default, so that CUDA matches the CPU.</summary>
    public bool AllowTf32 { get; init; }

    /// <summary>The most scratch memory one convolution algorithm may use.</summary>
    public long WorkspaceLimitBytes { get; init; } = 512L << 20;

    /// <summary>Where compiled kernels are kept; null for the default (see KernelCacheKey.Directory).</summary>
    public string? KernelCacheDirectory { get; init; }

    /// <summary>Defaults, with TF32 switched on by DEEPIMPRESSION_TF32=1.</summary>
    public static CudaBackendOptions FromEnvironment() =>
        new() { AllowTf32 = Environment.GetEnvironmentVariable(Tf32Variable) is "1" or "true" or "yes" };
}
