namespace DeepImpression.Train.Data.Cache;

/// <summary>Replaces a file so that a reader (or a crash) sees either the old or the new content, never a mix.</summary>
internal static class AtomicFile
{
    public static void WriteAllText(string path, string text) => Write(path, s =>
    {
        using var w = new StreamWriter(s, leaveOpen: true);
        w.Write(text);
    });

    public static void Write(string path, Action<FileStream> write)
    {
        string temp = path + ".tmp";
        using (var s = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            write(s);
            s.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
