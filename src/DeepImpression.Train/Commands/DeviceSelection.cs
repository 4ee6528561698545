using System.CommandLine;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda;
using DeepImpression.Train.Devices;

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

    /// <summary>The device, its backend made ready (<see cref="DeviceResolver.Resolve"/>).</summary>
    public static Device Resolve(string text, bool deterministic = false) => DeviceResolver.Resolve(text, deterministic);
}
