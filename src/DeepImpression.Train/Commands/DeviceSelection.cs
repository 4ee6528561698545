using System.CommandLine;
using DeepImpression.Core;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda;

namespace DeepImpression.Train.Commands;

/// <summary>Turns a <c>--device</c> value into a device whose backend is ready, or one clear error.</summary>
internal static class DeviceSelection
{
    /// <summary>The <c>--deterministic</c> option of the commands that run the network.</summary>
    public static Option<bool> DeterministicOption() => new("--deterministic")
    {
        Description = "CUDA: only deterministic cuDNN algorithms, chosen in a fixed order, so runs repeat bit for bit " +
                      $"(also {CudaBackendOptions.DeterministicVariable}=1; the CPU always is)",
    };

    /// <summary>The device, its backend made ready; a CUDA backend with the environment's settings, deterministic when
    /// <paramref name="deterministic"/> asks (or DEEPIMPRESSION_DETERMINISTIC=1).</summary>
    public static Device Resolve(string text, bool deterministic = false)
    {
        Device device;
        try
        {
            device = Device.Parse(text);
        }
        catch (FormatException e)
        {
            throw new InvalidInputException($"--device: {e.Message}");
        }
        if (device.Kind == DeviceKind.Cuda && !BackendRegistry.IsRegistered(DeviceKind.Cuda))
            throw new InvalidInputException("--device cuda: this build has no CUDA backend registered.");
        if (device.Kind == DeviceKind.Cuda) CudaBackend.Register(CudaOptions(deterministic));
        try
        {
            BackendRegistry.Get(device);
        }
        catch (Exception e) when (e is not InvalidInputException)
        {
            throw new InvalidInputException($"--device {device}: {e.Message} (run 'deepimpression doctor' for details)");
        }
        return device;
    }

    private static CudaBackendOptions CudaOptions(bool deterministic)
    {
        try
        {
            var options = CudaBackendOptions.FromEnvironment();
            return deterministic ? options with { Deterministic = true } : options;
        }
        catch (FormatException e)
        {
            throw new InvalidInputException(e.Message);
        }
    }
}
