using DeepImpression.Core;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda;

namespace DeepImpression.Train.Devices;

/// <summary>Turns a device name (what <c>--device</c> and <see cref="Training.TrainingOptions.Device"/> hold) into a
/// device whose backend is ready, or one clear error: the one place the commands, the trainer and a program share.</summary>
public static class DeviceResolver
{
    /// <summary>
    /// The device named by <paramref name="text"/> (<c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>), its backend made ready: a
    /// CUDA backend with the environment's settings (<see cref="CudaBackendOptions.FromEnvironment()"/>), deterministic
    /// when <paramref name="deterministic"/> asks (or DEEPIMPRESSION_DETERMINISTIC=1).
    /// </summary>
    /// <exception cref="InvalidInputException">The text names no device, this build has no CUDA backend, or the
    /// backend cannot start (the message says why; <c>deepimpression doctor</c> says more).</exception>
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
