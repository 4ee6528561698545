namespace DeepImpression.Cuda.Interop;

/// <summary>
/// One native library of the CUDA stack: the name the bindings import it by, the versioned file names tried in
/// order (newest first), and the companion libraries preloaded from the same folder so that the dynamic loader
/// finds them even when that folder is not on its search path (cuBLAS links cuBLASLt; cuDNN's shim opens its
/// sub-libraries by bare name at run time).
/// </summary>
public sealed record CudaLibrary(
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
        file => [file.Replace("libnvrtc.so", "libnvrtc-builtins.so", StringComparison.Ordinal) + "*"],
        "Install the CUDA toolkit (cuda-nvrtc) or the pip package nvidia-cuda-nvrtc.");

    public static CudaLibrary CuBlas { get; } = new(
        "cublas", "cuBLAS", ["libcublas.so.13", "libcublas.so.12", "libcublas.so.11"],
        file => [file.Replace("libcublas.so", "libcublasLt.so", StringComparison.Ordinal)],
        "Install the CUDA toolkit (libcublas with libcublasLt) or the pip package nvidia-cublas.");

    public static CudaLibrary CuDnn { get; } = new(
        "cudnn", "cuDNN", ["libcudnn.so.9", "libcudnn.so.8"],
        file => file.EndsWith(".9", StringComparison.Ordinal)
            ? ["libcudnn_graph.so.9", "libcudnn_engines_precompiled.so.9", "libcudnn_engines_runtime_compiled.so.9",
               "libcudnn_heuristic.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9"]
            : ["libcudnn_ops_infer.so.8", "libcudnn_ops_train.so.8", "libcudnn_cnn_infer.so.8", "libcudnn_cnn_train.so.8"],
        "Install cuDNN 9 or 8 for your CUDA version (libcudnn9-cuda-12, or the pip package nvidia-cudnn-cu12/cu13).");

    /// <summary>Every library the backend needs, in the order they are checked.</summary>
    public static IReadOnlyList<CudaLibrary> All { get; } = [Driver, Nvrtc, CuBlas, CuDnn];

    public override string ToString() => DisplayName;
}
