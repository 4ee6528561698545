using DeepImpression.Core;

namespace DeepImpression.Train.Data;

/// <summary>
/// One writer at a time for a folder (a clip cache, a run folder): a lock file in it held open without sharing, which
/// .NET turns into an advisory lock (flock) on Linux. The kernel releases it when the process ends however it ends,
/// so a killed writer never leaves a stale lock behind.
/// </summary>
internal sealed class FolderLock : IDisposable
{
    private readonly FileStream _file;

    private FolderLock(FileStream file) => _file = file;

    /// <summary>Takes the lock <paramref name="fileName"/> in <paramref name="directory"/> (which must exist), or throws
    /// <see cref="InvalidInputException"/> "<paramref name="directory"/>: <paramref name="heldBy"/>." when another
    /// writer holds it.</summary>
    public static FolderLock Acquire(string directory, string fileName, string heldBy)
    {
        try
        {
            return new FolderLock(new FileStream(Path.Combine(directory, fileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            throw new InvalidInputException($"{directory}: {heldBy}.");
        }
    }

    public void Dispose() => _file.Dispose();
}
