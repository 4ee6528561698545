using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;

namespace DeepImpression.Cuda.Interop;

/// <summary>What became of one library: its handle and the file it came from, or the message saying why not.</summary>
internal sealed record LibraryLoadResult(CudaLibrary Library, nint Handle, string? Path, string? FailureMessage)
{
    public bool IsLoaded => Handle != 0;
}

/// <summary>
/// Loads the CUDA libraries by their versioned names from <see cref="LibrarySearchPath"/> and resolves the
/// bindings' <c>[LibraryImport]</c> names to them. Each library is loaded once per process; a missing one is
/// reported once, with the folders searched.
/// </summary>
internal static class CudaLibraries
{
    private static readonly ConcurrentDictionary<CudaLibrary, Lazy<LibraryLoadResult>> Results = new();
    private static int _resolverInstalled;

    /// <summary>Routes this assembly's native imports through <see cref="Load"/>; safe to call many times.</summary>
    internal static void InstallResolver()
    {
        if (Interlocked.Exchange(ref _resolverInstalled, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(CudaLibraries).Assembly, Resolve);
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        foreach (var library in CudaLibrary.All)
            if (library.ImportName == name) return Load(library).Handle;
        return 0;
    }

    /// <summary>Loads <paramref name="library"/> (once) and says where from, or why not.</summary>
    public static LibraryLoadResult Load(CudaLibrary library) =>
        Results.GetOrAdd(library, l => new Lazy<LibraryLoadResult>(() => LoadUncached(l))).Value;

    /// <summary>The library's handle; throws <see cref="CudaLibraryNotFoundException"/> with the search message.</summary>
    public static nint Require(CudaLibrary library)
    {
        var result = Load(library);
        return result.IsLoaded ? result.Handle : throw new CudaLibraryNotFoundException(library, result.FailureMessage!);
    }

    private static LibraryLoadResult LoadUncached(CudaLibrary library) =>
        Search(library, Environment.GetEnvironmentVariable, ILibraryFileSystem.OnDisk);

    /// <summary>One search for <paramref name="library"/> under the given environment and file system, bypassing the
    /// per-process cache: the first location that loads (its companions preloaded), else the system loader by bare
    /// name, else the message saying where it looked.</summary>
    internal static LibraryLoadResult Search(CudaLibrary library, Func<string, string?> environment, ILibraryFileSystem files)
    {
        var folders = LibrarySearchPath.Directories(environment, files);
        var failures = new List<string>();
        foreach (var location in LibraryLocation.Find(library, folders, files))
        {
            Preload(location.Companions);
            try
            {
                return new LibraryLoadResult(library, NativeLibrary.Load(location.Path), location.Path, null);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                failures.Add($"{location.Path}: {FirstLine(e.Message)}");
            }
        }
        // Last the system loader by bare name: the ldconfig cache knows where the driver's installer put libcuda.
        foreach (var fileName in library.FileNames)
        {
            if (NativeLibrary.TryLoad(fileName, out var handle))
                return new LibraryLoadResult(library, handle, MappedPathOf(fileName) ?? fileName, null);
        }
        var message = LibrarySearchPath.MissingMessage(library, folders, environment, failures);
        return new LibraryLoadResult(library, 0, null, message);
    }

    /// <summary>Loads the companions, in passes until no more load: their order of dependence is not known for every
    /// release (a sub-library that needs another one not yet loaded loads in a later pass). Best effort: one that never
    /// loads leaves the main library to report the real problem.</summary>
    private static void Preload(IReadOnlyList<string> companions)
    {
        var pending = companions.ToList();
        while (pending.Count > 0)
        {
            int loaded = pending.RemoveAll(file => NativeLibrary.TryLoad(file, out _));
            if (loaded == 0) break;
        }
    }

    /// <summary>The full path of a loaded shared object, read from the process's memory map.</summary>
    internal static string? MappedPathOf(string fileName)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash < 0) continue;
                var path = line[slash..];
                if (Path.GetFileName(path) == fileName || Path.GetFileName(path).StartsWith(fileName + ".", StringComparison.Ordinal))
                    return path;
            }
        }
        catch (IOException)
        {
        }
        return null;
    }

    private static string FirstLine(string text)
    {
        int n = text.IndexOfAny(['\r', '\n']);
        return n < 0 ? text : text[..n];
    }
}
