using System.Text;

namespace DeepImpression.Cuda.Kernels;

/// <summary>
/// The on-disk identity of compiled kernel code: anything that changes the output (the source text, the compile
/// options, the target architecture and kind, the NVRTC version) changes the file name, so a stale file is never
/// loaded and nothing needs invalidating. The name carries a 64-bit FNV-1a hash of all of them: stable across runs
/// and machines, and computed without a native crypto library (a machine without libssl must still run).
/// </summary>
internal static class KernelCacheKey
{
    public const string CacheVariable = "DEEPIMPRESSION_KERNEL_CACHE";

    /// <summary>e.g. <c>pooling-sm_90-nvrtc12.6-3f2a9c07d41b66e1.cubin</c>.</summary>
    public static string FileName(string module, string source, IReadOnlyList<string> options, CompileTarget target, (int Major, int Minor) nvrtcVersion)
    {
        var identity = new StringBuilder()
            .Append(module).Append('\n')
            .Append(target.Label).Append('\n')
            .Append(nvrtcVersion.Major).Append('.').Append(nvrtcVersion.Minor).Append('\n')
            .AppendJoin('\n', options).Append('\n')
            .Append(source);
        var hash = Fnv1a64.Hash(Encoding.UTF8.GetBytes(identity.ToString())).ToString("x16");
        return $"{module}-{target.Label}-nvrtc{nvrtcVersion.Major}.{nvrtcVersion.Minor}-{hash}.{target.FileExtension}";
    }

    /// <summary>$DEEPIMPRESSION_KERNEL_CACHE, else $XDG_CACHE_HOME/deepimpression/kernels, else ~/.cache/deepimpression/kernels.</summary>
    public static string Directory(Func<string, string?> environment)
    {
        if (environment(CacheVariable) is { Length: > 0 } explicitFolder) return explicitFolder;
        if (environment("XDG_CACHE_HOME") is { Length: > 0 } xdg) return Path.Combine(xdg, "deepimpression", "kernels");
        var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "deepimpression", "kernels");
    }
}
