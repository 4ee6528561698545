using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Runtime;

/// <summary>cuInit, once per process, after making sure libcuda.so.1 can be loaded (so a missing driver gives the
/// search message rather than a bare DllNotFoundException).</summary>
internal static class CudaDriverSession
{
    private static readonly Lazy<bool> Initialized = new(() =>
    {
        CudaLibraries.Require(CudaLibrary.Driver);
        CudaDriver.Check(CudaDriver.cuInit(0), "cuInit");
        return true;
    });

    public static void EnsureInitialized() => _ = Initialized.Value;
}
