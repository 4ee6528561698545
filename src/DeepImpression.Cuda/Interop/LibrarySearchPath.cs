namespace DeepImpression.Cuda.Interop;

/// <summary>
/// Where the CUDA libraries are looked for, in order, and the one message given when one is missing. Pure: the
/// environment and the file system come in as functions, so the search order and the message are testable on a
/// machine without CUDA.
/// </summary>
public static class LibrarySearchPath
{
    /// <summary>Folders (':'-separated) searched first; a CUDA root works too (its lib64/ and lib/ are searched).</summary>
    public const string PathVariable = "DEEPIMPRESSION_CUDA_PATH";

    private static readonly string[] FixedFolders =
    [
        "/usr/local/cuda/lib64",
        "/usr/local/cuda/targets/x86_64-linux/lib",
        "/usr/local/cuda-*/lib64",
        "/usr/local/nvidia/lib64",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib64",
        "/usr/lib/wsl/lib",
        "/usr/local/lib/python3*/dist-packages/nvidia/*/lib",
        "/usr/lib/python3/dist-packages/nvidia/*/lib",
    ];

    /// <summary>
    /// The folders to search, in order, without duplicates: <see cref="PathVariable"/>, LD_LIBRARY_PATH,
    /// CUDA_PATH / CUDA_HOME, the usual install places, then pip-installed <c>nvidia/*/lib</c> folders of the
    /// active virtual environment and the user's site-packages. <paramref name="expand"/> turns a pattern with
    /// '*' into the existing folders it matches (newest version first); plain folders are kept even when absent,
    /// so that the message lists them.
    /// </summary>
    public static IReadOnlyList<string> Directories(Func<string, string?> environment, Func<string, IEnumerable<string>> expand)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string folder)
        {
            folder = folder.Trim();
            if (folder.Length > 1) folder = folder.TrimEnd('/');
            if (folder.Length == 0) return;
            if (folder.Contains('*'))
            {
                foreach (var match in expand(folder)) Add(match);
                return;
            }
            if (seen.Add(folder)) result.Add(folder);
        }

        foreach (var entry in SplitPath(environment(PathVariable)))
        {
            Add(entry);
            Add(entry + "/lib64");
            Add(entry + "/lib");
        }
        foreach (var entry in SplitPath(environment("LD_LIBRARY_PATH"))) Add(entry);
        foreach (var variable in new[] { "CUDA_PATH", "CUDA_HOME" })
        {
            if (environment(variable) is { Length: > 0 } root)
            {
                Add(root + "/lib64");
                Add(root + "/lib");
            }
        }
        foreach (var folder in FixedFolders) Add(folder);
        if (environment("VIRTUAL_ENV") is { Length: > 0 } venv) Add(venv + "/lib/python3*/site-packages/nvidia/*/lib");
        if (environment("HOME") is { Length: > 0 } home) Add(home + "/.local/lib/python3*/site-packages/nvidia/*/lib");
        return result;
    }

    /// <summary>
    /// The single message for a library that could not be loaded: which library (every file name tried), where it
    /// looked, what went wrong with files that exist but did not load, and what to do.
    /// </summary>
    public static string MissingMessage(CudaLibrary library, IReadOnlyList<string> searched,
        Func<string, string?> environment, IReadOnlyList<string> loadFailures)
    {
        var names = string.Join(" or ", library.FileNames);
        var folders = searched.Count == 0 ? "(no folders)" : string.Join(", ", searched);
        var failures = loadFailures.Count == 0 ? "" : $" Found but failed to load: {string.Join("; ", loadFailures)}.";
        return $"{names} ({library.DisplayName}) was not found. Looked in {PathVariable} ({Describe(environment(PathVariable))}), " +
               $"LD_LIBRARY_PATH ({Describe(environment("LD_LIBRARY_PATH"))}), {folders}, pip-installed nvidia/*/lib folders, " +
               $"and the system library cache.{failures} " +
               $"{library.InstallHint} To point at another folder, set {PathVariable}.";
    }

    /// <summary>The real file system's expansion of a pattern whose segments may contain '*': matching folders,
    /// sorted so that higher version numbers come first.</summary>
    public static IEnumerable<string> ExpandOnDisk(string pattern)
    {
        IEnumerable<string> current = ["/"];
        foreach (var segment in pattern.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = current.SelectMany(folder =>
            {
                if (!segment.Contains('*'))
                {
                    var next = Path.Combine(folder, segment);
                    return Directory.Exists(next) ? [next] : Array.Empty<string>();
                }
                try
                {
                    return Directory.Exists(folder)
                        ? Directory.EnumerateDirectories(folder, segment).OrderByDescending(d => d, VersionAwareComparer.Instance).ToArray()
                        : [];
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return [];
                }
            }).ToArray();
        }
        return current;
    }

    private static IEnumerable<string> SplitPath(string? value) =>
        value is null
            ? []
            : value.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(e => e.Length > 1 ? e.TrimEnd('/') : e);

    private static string Describe(string? value) => string.IsNullOrWhiteSpace(value) ? "unset" : value;

    /// <summary>Compares names so that "cuda-12.10" sorts above "cuda-12.9" (digit runs compare as numbers).</summary>
    private sealed class VersionAwareComparer : IComparer<string>
    {
        public static readonly VersionAwareComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            x ??= "";
            y ??= "";
            int i = 0, j = 0;
            while (i < x.Length && j < y.Length)
            {
                if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
                {
                    int si = i, sj = j;
                    while (i < x.Length && char.IsAsciiDigit(x[i])) i++;
                    while (j < y.Length && char.IsAsciiDigit(y[j])) j++;
                    var a = x[si..i].TrimStart('0');
                    var b = y[sj..j].TrimStart('0');
                    int c = a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
                    if (c != 0) return c;
                }
                else
                {
                    int c = x[i].CompareTo(y[j]);
                    if (c != 0) return c;
                    i++;
                    j++;
                }
            }
            return (x.Length - i).CompareTo(y.Length - j);
        }
    }
}
