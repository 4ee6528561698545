using System.Reflection;

namespace DeepImpression.Cuda.Kernels;

/// <summary>The CUDA C sources of kernels/*.cu, embedded in this assembly as "kernels/NAME.cu".</summary>
public static class KernelSources
{
    private const string Prefix = "kernels/";

    /// <summary>Module names (file names without .cu) of every embedded source.</summary>
    public static IReadOnlyList<string> Modules { get; } =
        typeof(KernelSources).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".cu", StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..^3])
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The CUDA C source of <paramref name="module"/> (a name from <see cref="Modules"/>); throws when this assembly carries no such source.</summary>
    public static string Read(string module)
    {
        using var stream = typeof(KernelSources).Assembly.GetManifestResourceStream($"{Prefix}{module}.cu")
            ?? throw new InvalidOperationException($"No embedded kernel source {Prefix}{module}.cu in {typeof(KernelSources).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
