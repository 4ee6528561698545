namespace DeepImpression.Cuda.Interop;

/// <summary>
/// The little of the file system the library search reads: folders matching a pattern, files in a folder, symbolic
/// links. The real one (<see cref="OnDisk"/>) on a machine; a fake layout in a temporary folder in tests, so every
/// install layout (pip wheels of CUDA 12 and 13, tarballs, distribution packages) is checked without CUDA.
/// </summary>
internal interface ILibraryFileSystem
{
    /// <summary>The existing folders a pattern matches; its segments may contain '*'. Higher version numbers first.</summary>
    IEnumerable<string> Expand(string pattern);

    bool FileExists(string path);

    /// <summary>Full paths of the files (or links to files) in <paramref name="folder"/> whose names match
    /// <paramref name="pattern"/> ('*' wildcards), in no particular order.</summary>
    IEnumerable<string> FilesMatching(string folder, string pattern);

    /// <summary>Where a symbolic link finally points (the path itself when it is no link; null when absent).</summary>
    string? RealPath(string path);

    /// <summary>The machine's file system.</summary>
    public static ILibraryFileSystem OnDisk { get; } = new DiskFileSystem();

    private sealed class DiskFileSystem : ILibraryFileSystem
    {
        public IEnumerable<string> Expand(string pattern) => LibrarySearchPath.ExpandOnDisk(pattern);

        public bool FileExists(string path) => File.Exists(path);

        public IEnumerable<string> FilesMatching(string folder, string pattern)
        {
            try
            {
                return Directory.Exists(folder) ? Directory.GetFiles(folder, pattern) : [];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return [];
            }
        }

        public string? RealPath(string path)
        {
            try
            {
                if (!File.Exists(path) && !Directory.Exists(path)) return null;
                return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return path;
            }
        }
    }
}
