using System.Globalization;

namespace DeepImpression.Core.Backends.Cpu;

/// <summary>The sizes of the processor's caches, as Linux reports them (sysfs), for sizing work that should stay in them.</summary>
internal static class CpuCaches
{
    /// <summary>Bytes of the largest (last-level) cache the first core sees; 32 MiB where the system does not say.</summary>
    public static long LastLevelBytes { get; } = Read() ?? 32L << 20;

    private static long? Read()
    {
        try
        {
            const string root = "/sys/devices/system/cpu/cpu0/cache";
            if (!Directory.Exists(root)) return null;
            long largest = 0;
            foreach (var dir in Directory.EnumerateDirectories(root, "index*"))
            {
                var text = File.ReadAllText(Path.Combine(dir, "size")).Trim();
                long unit = text.EndsWith('K') ? 1024 : text.EndsWith('M') ? 1 << 20 : 1;
                if (long.TryParse(text.TrimEnd('K', 'M'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                    largest = Math.Max(largest, value * unit);
            }
            return largest > 0 ? largest : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
