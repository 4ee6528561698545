namespace DeepImpression.Cuda.Interop;

/// <summary>
/// One native library of the CUDA stack: the name the bindings import it by, the versioned file names tried in
/// order (newest first), and the companion libraries to preload from the same folder, as file-name patterns in
/// loading order, so that the dynamic loader finds them even when that folder is not on its search path: cuBLAS
/// links cuBLASLt; NVRTC opens its builtins library by the soname of its own version (libnvrtc.so.11.2 of CUDA 11.8
/// opens libnvrtc-builtins.so.11.8, so they are matched by major version); cuDNN's shim opens its sub-libraries by
/// bare name at run time, and newer 9.x releases add some (libcudnn_engines_tensor_ir), so every one present is
/// preloaded, the graph library (which the others link) first.
/// </summary>
internal sealed record CudaLibrary(
    string ImportName,
    string DisplayName,
    IReadOnlyList<string> FileNames,
    Func<string, IReadOnlyList<string>> CompanionsOf,
    string InstallHint)
{
    public static CudaLibrary Driver { get; } = new(
        "cuda", "CUDA driver", ["libcuda.so.1"], _ => [],
        "It comes with the NVIDIA driver; a machine without an NVIDIA GPU and driver cannot run the CUDA backend.");

    public static CudaLibrary Nvrtc { get; } = new(
        "nvrtc", "NVRTC", ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so.11"],
        file => [$"libnvrtc-builtins.so.{MajorVersion(file)}", $"libnvrtc-builtins.so.{MajorVersion(file)}.*"],
        "Install the CUDA toolkit (cuda-nvrtc) or the pip package nvidia-cuda-nvrtc-cu12 (CUDA 12) or nvidia-cuda-nvrtc (CUDA 13).");

    public static CudaLibrary CuBlas { get; } = new(
        "cublas", "cuBLAS", ["libcublas.so.13", "libcublas.so.12", "libcublas.so.11"],
        file => [file.Replace("libcublas.so", "libcublasLt.so", StringComparison.Ordinal)],
        "Install the CUDA toolkit (libcublas with libcublasLt) or the pip package nvidia-cublas-cu12 (CUDA 12) or nvidia-cublas (CUDA 13).");

    public static CudaLibrary CuDnn { get; } = new(
        "cudnn", "cuDNN", ["libcudnn.so.9", "libcudnn.so.8"],
        file => file.EndsWith(".9", StringComparison.Ordinal)
            ? ["libcudnn_graph.so.9", "libcudnn_*.so.9"]
            : ["libcudnn_ops_infer.so.8", "libcudnn_*.so.8"],
        "Install cuDNN 9 or 8 for your CUDA version (libcudnn9-cuda-12, or the pip package nvidia-cudnn-cu12/cu13).");

    /// <summary>Every library the backend needs, in the order they are checked.</summary>
    public static IReadOnlyList<CudaLibrary> All { get; } = [Driver, Nvrtc, CuBlas, CuDnn];

    /// <summary>"11" from libnvrtc.so.11.2: the number after ".so.".</summary>
    private static string MajorVersion(string file)
    {
        var version = file[(file.IndexOf(".so.", StringComparison.Ordinal) + 4)..];
        int dot = version.IndexOf('.');
        return dot < 0 ? version : version[..dot];
    }

    public override string ToString() => DisplayName;
}
