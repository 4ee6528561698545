namespace DeepImpression.Cuda.Kernels;

/// <summary>
/// What NVRTC is asked to produce for a GPU: a CUBIN for the exact architecture when NVRTC knows it (nothing left
/// to JIT at load), otherwise PTX for the newest virtual architecture not above the GPU's, which the driver
/// compiles for the device when the module loads.
/// </summary>
internal sealed record CompileTarget(int Architecture, bool Cubin)
{
    /// <summary>NVRTC's --gpu-architecture option: sm_XY for a CUBIN, compute_XY for PTX.</summary>
    public string ArchitectureOption => $"--gpu-architecture={(Cubin ? "sm" : "compute")}_{Architecture}";

    /// <summary>"sm_90" or "compute_86": a short label for cache file names and messages.</summary>
    public string Label => $"{(Cubin ? "sm" : "compute")}_{Architecture}";

    public string FileExtension => Cubin ? "cubin" : "ptx";

    public static CompileTarget Choose(int deviceArchitecture, IReadOnlyCollection<int> supportedArchitectures, string nvrtcVersion)
    {
        if (supportedArchitectures.Contains(deviceArchitecture)) return new CompileTarget(deviceArchitecture, Cubin: true);
        var older = supportedArchitectures.Where(a => a <= deviceArchitecture).ToArray();
        if (older.Length > 0) return new CompileTarget(older.Max(), Cubin: false);
        var known = supportedArchitectures.Count == 0 ? "none" : $"sm_{supportedArchitectures.Min()} to sm_{supportedArchitectures.Max()}";
        throw new NotSupportedException(
            $"NVRTC {nvrtcVersion} generates code for {known}; this GPU is sm_{deviceArchitecture}, older than all of them. " +
            "Use an NVRTC from an older CUDA toolkit (set DEEPIMPRESSION_CUDA_PATH to its folder).");
    }
}
