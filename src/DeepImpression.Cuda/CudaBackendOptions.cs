using DeepImpression.Cuda.Dnn;

namespace DeepImpression.Cuda;

/// <summary>Settings of the CUDA backend.</summary>
public sealed record CudaBackendOptions
{
    /// <summary>Environment variable that sets <see cref="AllowTf32"/> (1, true or yes).</summary>
    public const string Tf32Variable = "DEEPIMPRESSION_TF32";
    /// <summary>Environment variable that sets <see cref="Deterministic"/> (1, true or yes).</summary>
    public const string DeterministicVariable = "DEEPIMPRESSION_DETERMINISTIC";
    /// <summary>Environment variable that sets <see cref="PrintConvolutionPlan"/> (1, true or yes).</summary>
    public const string PrintPlanVariable = "DEEPIMPRESSION_PRINT_CONV_PLAN";

    /// <summary>Let cuBLAS and cuDNN round FP32 inputs to TF32 on tensor cores (Ampere and newer): much faster,
    /// about three decimal digits of input precision. Off by default, so that CUDA matches the CPU.</summary>
    public bool AllowTf32 { get; init; }

    /// <summary>
    /// Repeatable results: convolutions run only algorithms cuDNN marks CUDNN_DETERMINISTIC, chosen by a fixed order
    /// rather than by measured time (<see cref="ConvolutionPolicy"/>), so the same inputs give the same bits on every
    /// run on this GPU and cuDNN, and a resumed run continues exactly. Everything else the backend runs (its own
    /// kernels, cuBLAS on one stream, cuDNN's batch normalization, activations and average pooling) is deterministic
    /// anyway.
    /// </summary>
    public bool Deterministic { get; init; }

    /// <summary>Convolution algorithms forced by direction (see <see cref="ConvolutionPolicy.Forced"/>).</summary>
    public IReadOnlyDictionary<ConvolutionDirection, int> ForcedAlgorithms { get; init; } = new Dictionary<ConvolutionDirection, int>();

    /// <summary>Write each convolution algorithm choice to standard error as it is made.</summary>
    public bool PrintConvolutionPlan { get; init; }

    /// <summary>The most scratch memory one convolution algorithm may use.</summary>
    public long WorkspaceLimitBytes { get; init; } = 512L << 20;

    /// <summary>Where compiled kernels are kept; null for the default (see KernelCacheKey.Directory).</summary>
    public string? KernelCacheDirectory { get; init; }

    /// <summary>How convolution algorithms are chosen under these settings.</summary>
    public ConvolutionPolicy ConvolutionPolicy => new() { Deterministic = Deterministic, AllowTf32 = AllowTf32, Forced = ForcedAlgorithms };

    /// <summary>Defaults, with DEEPIMPRESSION_TF32=1, DEEPIMPRESSION_DETERMINISTIC=1, DEEPIMPRESSION_PRINT_CONV_PLAN=1
    /// and DEEPIMPRESSION_CONV_ALGORITHMS read from the process environment.</summary>
    public static CudaBackendOptions FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="FromEnvironment()"/>, reading variables through <paramref name="environment"/> (for tests and hosts that keep settings elsewhere). Throws <see cref="FormatException"/> for a forced-algorithm list it cannot read.</summary>
    public static CudaBackendOptions FromEnvironment(Func<string, string?> environment) => new()
    {
        AllowTf32 = IsSet(environment(Tf32Variable)),
        Deterministic = IsSet(environment(DeterministicVariable)),
        PrintConvolutionPlan = IsSet(environment(PrintPlanVariable)),
        ForcedAlgorithms = ConvolutionPolicy.ParseForced(environment(ConvolutionPolicy.ForcedVariable)),
    };

    private static bool IsSet(string? value) => value is "1" or "true" or "yes";
}
