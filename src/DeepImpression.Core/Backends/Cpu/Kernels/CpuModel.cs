namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>The processor's marketing name, for logs and benchmark reports.</summary>
internal static class CpuModel
{
    public static string Name { get; } = Read();

    private static string Read()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is var colon and >= 0)
                        return line[(colon + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }
}
