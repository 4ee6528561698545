using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Kernels;

/// <summary>
/// Compiles kernels/*.cu with NVRTC for one GPU architecture and keeps the result on disk
/// (<see cref="KernelCacheKey"/>), so a later run loads it without compiling. A cache folder that cannot be
/// written only costs the compile time.
/// </summary>
internal sealed class KernelCompiler
{
    private readonly string _cacheDirectory;

    public KernelCompiler(int deviceArchitecture, string? cacheDirectory = null)
    {
        CudaLibraries.Require(CudaLibrary.Nvrtc);
        NvrtcVersion = Nvrtc.Version();
        int[] supported;
        try
        {
            supported = Nvrtc.SupportedArchitectures();
        }
        catch (EntryPointNotFoundException)
        {
            // NVRTC before 11.2 cannot list its architectures; let it try the device's own.
            supported = [deviceArchitecture];
        }
        Target = CompileTarget.Choose(deviceArchitecture, supported, $"{NvrtcVersion.Major}.{NvrtcVersion.Minor}");
        _cacheDirectory = cacheDirectory ?? KernelCacheKey.Directory(Environment.GetEnvironmentVariable);
    }

    public (int Major, int Minor) NvrtcVersion { get; }
    public CompileTarget Target { get; }

    /// <summary>
    /// Compile options besides the architecture. The kernels round as the CPU's do: no multiply-add contraction
    /// (NVRTC's default --fmad=true would fuse a*b - c*d into one FMA), denormals kept, IEEE division and square
    /// root. The kernels also spell every operation as a round-to-nearest intrinsic, so these settings are a second
    /// guarantee, not the only one.
    /// </summary>
    public static IReadOnlyList<string> ExtraOptions { get; } = ["--fmad=false", "--ftz=false", "--prec-div=true", "--prec-sqrt=true"];

    /// <summary>The module's CUBIN or NUL-terminated PTX, from the disk cache or freshly compiled.</summary>
    public byte[] Compile(string module)
    {
        var source = KernelSources.Read(module);
        List<string> options = [Target.ArchitectureOption, .. ExtraOptions];
        var path = Path.Combine(_cacheDirectory, KernelCacheKey.FileName(module, source, options, Target, NvrtcVersion));
        try
        {
            if (File.Exists(path)) return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        var image = Nvrtc.Compile(source, module + ".cu", options, Target.Cubin);
        TryStore(path, image);
        return image;
    }

    private static void TryStore(string path, byte[] image)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            // Write then rename, so a concurrent process never reads a half-written file.
            var temporary = $"{path}.{Environment.ProcessId}.tmp";
            File.WriteAllBytes(temporary, image);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
