using System.Security.Cryptography;

namespace DeepImpression.Train.Serving;

/// <summary>
/// A private temporary folder for uploads (mode 700, a fresh random name under the system's temp folder). Each upload
/// gets a generated name, never the client's; an upload is deleted when its request ends, whatever the outcome,
/// unless <c>keepUploads</c>. Disposing removes the folder too, unless uploads are kept.
/// </summary>
internal sealed class UploadFolder : IDisposable
{
    private readonly bool _keep;

    /// <param name="keepUploads">Leave every upload (and the folder) on disk, for debugging.</param>
    public UploadFolder(bool keepUploads)
    {
        _keep = keepUploads;
        // CreateTempSubdirectory makes the folder readable by its owner only.
        Path = Directory.CreateTempSubdirectory("deepimpression-uploads-").FullName;
    }

    /// <summary>Where the uploads are.</summary>
    public string Path { get; }

    /// <summary>True when uploads stay on disk after their request.</summary>
    public bool KeepsUploads => _keep;

    /// <summary>A new, not yet existing file in the folder, with a random name.</summary>
    public Upload NewUpload()
    {
        string name = $"upload-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}";
        return new Upload(System.IO.Path.Combine(Path, name), _keep);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_keep) return;
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>One upload's file; disposing deletes it unless uploads are kept.</summary>
internal sealed class Upload(string path, bool keep) : IDisposable
{
    /// <summary>The file (created by whoever receives the upload).</summary>
    public string Path { get; } = path;

    /// <summary>Creates the file for writing, readable and writable by the owner only; fails if it exists.</summary>
    public FileStream Create()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FileStream(Path, options);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (keep) return;
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
