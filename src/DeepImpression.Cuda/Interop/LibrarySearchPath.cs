namespace DeepImpression.Cuda.Interop;

/// <summary>
/// Where the CUDA libraries are looked for, in order, and the one message given when one is missing. Pure: the
/// environment and the file system come in as arguments, so the order, the Python environments found and the
/// message are testable on a machine without CUDA, over fake layouts.
/// </summary>
internal static class LibrarySearchPath
{
    /// <summary>Folders (':'-separated) searched first; a CUDA root works too (its lib64/ and lib/ are searched).</summary>
    public const string PathVariable = "DEEPIMPRESSION_CUDA_PATH";

    /// <summary>Where CUDA toolkits, tarballs and distribution packages put the libraries.</summary>
    private static readonly string[] SystemFolders =
    [
        "/usr/local/cuda/lib64",
        "/usr/local/cuda/targets/x86_64-linux/lib",
        "/usr/local/cuda-*/lib64",
        "/usr/local/cuda-*/targets/x86_64-linux/lib",
        "/usr/local/nvidia/lib64",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib64",
        "/usr/lib/wsl/lib",
    ];

    /// <summary>Python installations that pip-installed wheels (nvidia-cudnn-cu12, nvidia-cublas, ...) may sit in:
    /// virtual environments under /opt (how GPU machines are often provisioned), the user's, a conda base, the system's.</summary>
    private static readonly string[] PythonPrefixes = ["/opt/*/.venv", "/opt/*/venv", "/opt/*", "/usr/local", "/usr"];

    /// <summary>
    /// The folders to search, in order, without duplicates: <see cref="PathVariable"/>, LD_LIBRARY_PATH,
    /// CUDA_PATH / CUDA_HOME, the active Python environment (VIRTUAL_ENV, CONDA_PREFIX), the usual install places,
    /// then the pip-installed <c>nvidia/*/lib</c> folders (CUDA 12 wheels: nvidia/cudnn/lib, nvidia/cublas/lib, ...;
    /// CUDA 13 wheels: nvidia/cu13/lib) of every other Python found: each <c>python3</c> on PATH (its environment
    /// derived from where it sits and where its link points, no process started), ~/.venv, ~/.local,
    /// /opt/*/.venv, /opt/*/venv and the system's. Patterns with '*' expand to the existing folders they match
    /// (newest version first); plain folders are kept even when absent, so that the message lists them.
    /// </summary>
    public static IReadOnlyList<string> Directories(Func<string, string?> environment, ILibraryFileSystem files)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string folder)
        {
            folder = Normalize(folder);
            if (folder.Length == 0) return;
            if (folder.Contains('*'))
            {
                foreach (var match in files.Expand(folder)) Add(match);
                return;
            }
            if (seen.Add(folder)) result.Add(folder);
        }
        void AddPython(string prefix)
        {
            foreach (var lib in new[] { "lib", "lib64" })
                foreach (var packages in new[] { "site-packages", "dist-packages" })
                    Add($"{Normalize(prefix)}/{lib}/python3*/{packages}/nvidia/*/lib");
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
            if (environment(variable) is not { Length: > 0 } root) continue;
            Add(root + "/lib64");
            Add(root + "/lib");
            Add(root + "/targets/x86_64-linux/lib");
        }
        foreach (var variable in new[] { "VIRTUAL_ENV", "CONDA_PREFIX" })
            if (environment(variable) is { Length: > 0 } active) AddPython(active);
        foreach (var folder in SystemFolders) Add(folder);
        foreach (var prefix in PythonOnPath(environment, files)) AddPython(prefix);
        if (environment("HOME") is { Length: > 0 } home)
        {
            AddPython(home + "/.venv");
            AddPython(home + "/.local");
        }
        foreach (var prefix in PythonPrefixes) AddPython(prefix);
        Add("/usr/lib/python3/dist-packages/nvidia/*/lib");
        return result;
    }

    /// <summary>
    /// The installation prefixes of every <c>python3</c> on PATH: the folder above its bin/ (a virtual environment's
    /// root, or /usr/local), and the same for the file its link finally points to (a venv's python3 links to the
    /// system interpreter, whose prefix holds the system's dist-packages).
    /// </summary>
    public static IEnumerable<string> PythonOnPath(Func<string, string?> environment, ILibraryFileSystem files)
    {
        foreach (var folder in SplitPath(environment("PATH")))
        {
            var python = folder + "/python3";
            if (!files.FileExists(python)) continue;
            yield return Parent(folder);
            if (files.RealPath(python) is { } real && Path.GetDirectoryName(real) is { } realFolder && Normalize(realFolder) != Normalize(folder))
                yield return Parent(realFolder);
        }
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
               $"LD_LIBRARY_PATH ({Describe(environment("LD_LIBRARY_PATH"))}), {folders}, the nvidia/*/lib folders of every Python " +
               $"environment found (VIRTUAL_ENV, python3 on PATH, ~/.venv, ~/.local, /opt/*/.venv, /opt/*/venv, the system's), " +
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

    private static string Normalize(string folder)
    {
        folder = folder.Trim();
        return folder.Length > 1 ? folder.TrimEnd('/') : folder;
    }

    private static string Parent(string folder) => Path.GetDirectoryName(Normalize(folder)) is { Length: > 0 } parent ? parent : "/";

    private static IEnumerable<string> SplitPath(string? value) =>
        value is null
            ? []
            : value.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Normalize);

    private static string Describe(string? value) => string.IsNullOrWhiteSpace(value) ? "unset" : value;

    /// <summary>Compares names so that "cuda-12.10" sorts above "cuda-12.9" (digit runs compare as numbers).</summary>
    internal sealed class VersionAwareComparer : IComparer<string>
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
