namespace DeepImpression.Cuda.Interop;

/// <summary>One file a library may be loaded from, and its companions (full paths) to preload first, in order.</summary>
internal sealed record LibraryLocation(string Path, IReadOnlyList<string> Companions)
{
    /// <summary>
    /// Every place <paramref name="library"/> could be loaded from, best first: each of its file names (newest version
    /// first) in each folder in search order, with the companion files present in the same folder, in the order of
    /// the library's patterns (within one pattern, newest version first).
    /// </summary>
    public static IEnumerable<LibraryLocation> Find(CudaLibrary library, IReadOnlyList<string> folders, ILibraryFileSystem files)
    {
        foreach (var fileName in library.FileNames)
        {
            foreach (var folder in folders)
            {
                var path = folder.TrimEnd('/') + "/" + fileName;
                if (!files.FileExists(path)) continue;
                var companions = new List<string>();
                foreach (var pattern in library.CompanionsOf(fileName))
                {
                    var exact = folder.TrimEnd('/') + "/" + pattern;
                    IEnumerable<string> matches = pattern.Contains('*')
                        ? files.FilesMatching(folder, pattern).OrderByDescending(f => f, LibrarySearchPath.VersionAwareComparer.Instance)
                        : files.FileExists(exact) ? [exact] : [];
                    foreach (var match in matches)
                        if (!companions.Contains(match, StringComparer.Ordinal)) companions.Add(match);
                }
                yield return new LibraryLocation(path, companions);
            }
        }
    }
}
