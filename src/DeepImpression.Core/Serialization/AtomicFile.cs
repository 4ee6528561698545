namespace DeepImpression.Core.Serialization;

/// <summary>
/// Replaces a file all at once: the content goes to a temporary file in the same folder, is flushed to the disk,
/// and is then renamed over the target. A crash or an exception midway leaves the old file (or no file) in place,
/// never a half-written one. Temporaries are named <c>.NAME.PID.GUID.tmp</c>: those a killed process left behind
/// (its PID no longer runs) are removed by the next write of the same file, or by <see cref="RemoveStaleTemporaries"/>.
/// </summary>
public static class AtomicFile
{
    private const string TemporarySuffix = ".tmp";

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath) ?? throw new InvalidInputException($"{path}: not a file path.");
        if (!Directory.Exists(folder)) throw new InvalidInputException($"{path}: the folder {folder} does not exist.");

        // A checkpoint's temporary is as large as the checkpoint: one left by a killed run could fill the disk.
        RemoveStaleTemporaries(folder, Path.GetFileName(fullPath));
        // Same folder, so that the final rename stays on one file system and is atomic.
        var temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Writes text (UTF-8, no byte order mark) to <paramref name="path"/>, atomically.</summary>
    public static void WriteText(string path, Action<TextWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true);
            write(writer);
            writer.Flush();
        });
    }

    /// <summary>
    /// Deletes the temporaries in <paramref name="folder"/> (of <paramref name="fileName"/> only, when given) whose
    /// writing process is no longer running; a live process's temporaries, and files not named as ours, are left.
    /// Returns the paths removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveStaleTemporaries(string folder, string? fileName = null)
    {
        var removed = new List<string>();
        if (!Directory.Exists(folder)) return removed;
        string pattern = fileName is null ? $".*{TemporarySuffix}" : $".{fileName}.*{TemporarySuffix}";
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(folder, pattern).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return removed;
        }
        foreach (var path in candidates)
        {
            if (WriterOf(Path.GetFileName(path)) is not { } pid || pid == Environment.ProcessId || IsRunning(pid)) continue;
            if (TryDelete(path)) removed.Add(path);
        }
        return removed;
    }

    /// <summary>The PID in a temporary's name <c>.NAME.PID.GUID.tmp</c>, or null when the name is not one of ours.</summary>
    private static int? WriterOf(string name)
    {
        if (!name.StartsWith('.') || !name.EndsWith(TemporarySuffix, StringComparison.Ordinal)) return null;
        var parts = name[..^TemporarySuffix.Length].Split('.');
        if (parts.Length < 4 || parts[^1].Length != 32 || !parts[^1].All(char.IsAsciiHexDigit)) return null;
        return int.TryParse(parts[^2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            // The original error matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
        }
        return false;
    }
}
