using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Tests.HostSide;

/// <summary>
/// A fake machine under a temporary folder: files and symbolic links created at absolute paths (/opt/..., /usr/...)
/// that live under its root, seen through <see cref="ILibraryFileSystem"/> as if the root were '/'. The library
/// files are empty: the search finds files, it does not load them.
/// </summary>
internal sealed class FakeInstall : ILibraryFileSystem, IDisposable
{
    public FakeInstall() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "di-fake-install-" + Guid.NewGuid().ToString("N"));

    /// <summary>Creates empty files named <paramref name="names"/> in the folder <paramref name="folder"/> (absolute).</summary>
    public FakeInstall Files(string folder, params string[] names)
    {
        Directory.CreateDirectory(Real(folder));
        foreach (var name in names) File.WriteAllBytes(Real(folder + "/" + name), []);
        return this;
    }

    /// <summary>A symbolic link at <paramref name="path"/> to <paramref name="target"/> (absolute, inside the fake).</summary>
    public FakeInstall Link(string path, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Real(path))!);
        File.CreateSymbolicLink(Real(path), Real(target));
        return this;
    }

    private string Real(string path) => Root + path;

    private string Fake(string path) => path.StartsWith(Root, StringComparison.Ordinal) ? path[Root.Length..] is { Length: > 0 } p ? p : "/" : path;

    public IEnumerable<string> Expand(string pattern) => LibrarySearchPath.ExpandOnDisk(Real(pattern)).Select(Fake);

    public bool FileExists(string path) => File.Exists(Real(path));

    public IEnumerable<string> FilesMatching(string folder, string pattern) =>
        Directory.Exists(Real(folder)) ? Directory.GetFiles(Real(folder), pattern).Select(Fake) : [];

    public string? RealPath(string path) => ILibraryFileSystem.OnDisk.RealPath(Real(path)) is { } real ? Fake(real) : null;

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
