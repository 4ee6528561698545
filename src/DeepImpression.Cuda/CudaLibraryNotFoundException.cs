using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda;

/// <summary>
/// A native library of the CUDA stack (the driver, NVRTC, cuBLAS or cuDNN) could not be loaded, so the CUDA backend
/// cannot start. The message names the library, every folder it was looked for in, and how to install it;
/// <see cref="Runtime.CudaEnvironmentReport.Probe"/> reports the same without throwing.
/// </summary>
public sealed class CudaLibraryNotFoundException : Exception
{
    internal CudaLibraryNotFoundException(CudaLibrary library, string message) : base(message) => Library = library;

    internal CudaLibrary Library { get; }

    /// <summary>The missing library as people name it, e.g. "CUDA driver" or "cuDNN".</summary>
    public string LibraryName => Library.DisplayName;
}
