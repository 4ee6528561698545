namespace DeepImpression.Train.Data;

/// <summary>
/// Finds files under a folder, visiting every real folder once. Links to folders are followed, but a folder reached
/// again (by a link that points up, or by a second link to the same place) is not entered again: folders are told
/// apart by device and inode, not by path, so a link loop costs one note instead of an endless, doubling walk. Files
/// are yielded as they are found (each folder's entries in ordinal name order), with no recursion and no list of the
/// whole tree: memory grows with the number of folders, not with the number of paths links could spell.
/// </summary>
internal sealed class FolderWalk
{
    private readonly string _root;
    private readonly List<string> _notes = [];

    /// <param name="root">The folder to search.</param>
    public FolderWalk(string root)
    {
        _root = root;
    }

    /// <summary>Folders entered so far: at most the number of real folders under the root.</summary>
    public int FoldersEntered { get; private set; }

    /// <summary>What was left out and why: links to folders already searched, folders that could not be read.</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Every non-folder entry whose name matches <paramref name="include"/>, as a path under the root.</summary>
    public IEnumerable<string> Files(Func<string, bool> include)
    {
        var rootStatus = FileStatus.Of(_root);
        if (rootStatus.Kind != FileKind.Directory) yield break;
        var entered = new HashSet<(ulong, ulong)>();
        var seenPaths = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        Claim(rootStatus, _root, entered, seenPaths);
        pending.Push(_root);
        while (pending.Count > 0)
        {
            string folder = pending.Pop();
            FoldersEntered++;
            string[] names;
            try
            {
                names = Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _notes.Add($"{folder}: not searched ({e.Message})");
                continue;
            }
            var subfolders = new List<string>();
            foreach (var name in names)
            {
                string path = Path.Combine(folder, name);
                var status = FileStatus.Of(path);
                if (status.Kind == FileKind.Directory)
                {
                    if (Claim(status, path, entered, seenPaths)) subfolders.Add(path);
                    else _notes.Add($"{path}: a link to a folder already searched; not followed again.");
                }
                else if (include(name))
                {
                    yield return path;
                }
            }
            // Pushed in reverse, so that folders are searched in name order.
            for (int i = subfolders.Count - 1; i >= 0; i--) pending.Push(subfolders[i]);
        }
    }

    // True the first time a folder is met. Without an identity from the system, the link-free full path stands in.
    private static bool Claim(FileStatus status, string path, HashSet<(ulong, ulong)> entered, HashSet<string> seenPaths)
    {
        if (status.Identity is { } id) return entered.Add(id);
        var info = new DirectoryInfo(path);
        string real = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;
        return seenPaths.Add(Path.TrimEndingDirectorySeparator(real));
    }
}
