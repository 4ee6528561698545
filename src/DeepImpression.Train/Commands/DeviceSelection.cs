using System.CommandLine;
using DeepImpression.Cuda;

namespace DeepImpression.Train.Commands;

/// <summary>The commands' shared <c>--deterministic</c> option (the device itself: <see cref="Devices.DeviceResolver"/>).</summary>
internal static class DeviceSelection
{
    /// <summary>The <c>--deterministic</c> option of the commands that run the network.</summary>
    public static Option<bool> DeterministicOption() => new("--deterministic")
    {
        Description = "CUDA: only deterministic cuDNN algorithms, chosen in a fixed order, so runs repeat bit for bit " +
                      $"(also {CudaBackendOptions.DeterministicVariable}=1; the CPU always is)",
    };
}
