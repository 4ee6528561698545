using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepImpression.Train.Benchmarking;

/// <summary>What the figures were measured on: CPU model, cores, SIMD width.</summary>
public sealed record MachineInfo(string CpuModel, int LogicalCores, int SimdBits, bool HasFma, string Runtime)
{
    /// <summary>This machine and runtime.</summary>
    public static MachineInfo Current()
    {
        string model = "unknown CPU";
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) model = line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        int simd = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 32;
        return new MachineInfo(model, Environment.ProcessorCount, simd, Fma.IsSupported, System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
    }

    /// <summary>One line for a report.</summary>
    public override string ToString() => $"{CpuModel}, {LogicalCores} logical cores, {SimdBits}-bit SIMD{(HasFma ? " with FMA" : "")}, {Runtime}";
}
