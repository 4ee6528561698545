namespace DeepImpression.Cuda.Interop;

/// <summary>A native library of the CUDA stack could not be loaded; the message says which one and where it looked.</summary>
public sealed class CudaLibraryNotFoundException : Exception
{
    public CudaLibraryNotFoundException(CudaLibrary library, string message) : base(message) => Library = library;

    public CudaLibrary Library { get; }
}
