using DeepImpression.Core.Backends.Cpu.Convolution;
using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu;

/// <summary>
/// How a <see cref="CpuBackend"/> computes, fixed when it is built: the kernels read these from the backend, never from
/// process-wide switches. The process's own backend (<see cref="CpuBackend.Instance"/>) takes them from
/// <see cref="FromEnvironment"/>.
/// </summary>
public sealed record CpuBackendOptions
{
    /// <summary>Participants in each parallel region (the caller and Threads − 1 helper threads); 0: one per core.
    /// The numbers are the same whatever the count.</summary>
    public int Threads { get; init; }

    /// <summary>The widest instruction set the kernels may use; null: the widest the CPU runs. Never wider than the CPU.</summary>
    public SimdLevel? Isa { get; init; }

    /// <summary>What to run instead of the planner's convolution algorithms, if anything.</summary>
    public ConvolutionOverride Convolution { get; init; }

    /// <summary>Who takes the pieces of a parallel region: tests check that the numbers do not depend on it.</summary>
    internal WorkerSchedule Schedule { get; init; }

    /// <summary>A test seam run by the last helper of a region between counting itself out and signalling the caller.</summary>
    internal Action? HelperCountedOut { get; init; }

    /// <summary>The options of the process's backend: <c>DEEPIMPRESSION_THREADS</c> (a count),
    /// <c>DEEPIMPRESSION_CONV_ALGO</c> (<c>reference</c>, <c>direct</c> or <c>auto</c>) and <c>DEEPIMPRESSION_ISA</c>
    /// (<c>avx512</c>, <c>avx2</c> or <c>portable</c>). A setting it cannot read is reported and ignored: a debugging
    /// switch must not stop a run.</summary>
    public static CpuBackendOptions FromEnvironment() => new()
    {
        Threads = int.TryParse(Environment.GetEnvironmentVariable("DEEPIMPRESSION_THREADS"), out var threads) && threads > 0 ? threads : 0,
        Convolution = ParseConvolution(Environment.GetEnvironmentVariable("DEEPIMPRESSION_CONV_ALGO")),
        Isa = ParseIsa(Environment.GetEnvironmentVariable("DEEPIMPRESSION_ISA")),
    };

    internal static ConvolutionOverride ParseConvolution(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => ConvolutionOverride.None,
        "reference" => ConvolutionOverride.Reference,
        "direct" => ConvolutionOverride.Direct,
        _ => Warn(ConvolutionOverride.None, $"DEEPIMPRESSION_CONV_ALGO={text}: expected 'reference', 'direct' or 'auto'; the planner chooses."),
    };

    internal static SimdLevel? ParseIsa(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "avx512" or "avx-512" => SimdLevel.Avx512,
        "avx2" => SimdLevel.Avx2,
        "portable" or "scalar" => SimdLevel.Portable,
        _ => Warn<SimdLevel?>(null, $"DEEPIMPRESSION_ISA={text}: expected 'avx512', 'avx2' or 'portable'; the widest the CPU runs is used."),
    };

    private static T Warn<T>(T value, string message)
    {
        Console.Error.WriteLine("warning: " + message);
        return value;
    }
}
