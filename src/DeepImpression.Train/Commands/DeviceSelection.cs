using DeepImpression.Core;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Commands;

/// <summary>Turns a <c>--device</c> value into a device whose backend is ready, or one clear error.</summary>
public static class DeviceSelection
{
    public static Device Resolve(string text)
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
}
