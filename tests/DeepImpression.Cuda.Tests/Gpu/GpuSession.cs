using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Interop;
using DeepImpression.Cuda.Runtime;

namespace DeepImpression.Cuda.Tests.Gpu;

/// <summary>
/// The GPU the tests run on, or why there is none (no driver, no GPU, a library missing): fixtures that need it call
/// <see cref="Open"/>, which skips them with the reason. The backend runs in deterministic mode, so a test sees the
/// same bits on every run and the algorithms whose rounding the parity bounds describe.
/// </summary>
public static class GpuSession
{
    private static readonly Lazy<string?> Unavailable = new(FindReasonToSkip);

    public static Device Device => Device.Cuda(0);

    /// <summary>Why GPU tests cannot run here, or null when they can.</summary>
    public static string? UnavailableReason => Unavailable.Value;

    /// <summary>The settings of the backend under test: the environment's, made deterministic.</summary>
    public static CudaBackendOptions Options { get; } = CudaBackendOptions.FromEnvironment() with { Deterministic = true };

    /// <summary>The backend, registered with Core as the trainer registers it; Assert.Ignore with the reason when
    /// there is no usable GPU.</summary>
    public static CudaBackend Open()
    {
        if (UnavailableReason is { } reason) Assert.Ignore(reason);
        CudaBackend.Register(Options);
        return (CudaBackend)BackendRegistry.Get(Device);
    }

    private static string? FindReasonToSkip()
    {
        var driver = CudaLibraries.Load(CudaLibrary.Driver);
        if (!driver.IsLoaded) return $"No CUDA GPU: {driver.FailureMessage}";
        try
        {
            if (CudaDeviceInfo.Enumerate().Count == 0) return "No CUDA GPU: the driver is installed but sees no device.";
        }
        catch (CudaException e)
        {
            return $"No CUDA GPU: {e.Message}";
        }
        foreach (var library in CudaLibrary.All)
        {
            var load = CudaLibraries.Load(library);
            if (!load.IsLoaded) return $"A CUDA GPU is present but a library is missing: {load.FailureMessage}";
        }
        return null;
    }
}
