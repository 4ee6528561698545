using System.Runtime.InteropServices;

namespace DeepImpression.Train.Data;

/// <summary>What kind of thing a path names, as the operating system sees it.</summary>
internal enum FileKind
{
    /// <summary>Nothing there (or a link whose target is missing, or a link loop).</summary>
    Missing,
    Regular,
    Directory,
    /// <summary>A named pipe: opening it waits until someone writes, possibly forever.</summary>
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
    SymbolicLink,
    /// <summary>Exists, but the kind could not be told (no statx on this system, or no permission).</summary>
    Unknown,
}

/// <summary>
/// A path's kind and identity (device and inode), read with Linux's <c>statx</c>. .NET's file APIs tell files from
/// folders but not a regular file from a FIFO or a device, and name a folder by a path that links can make endless;
/// the identity names it once. Where <c>statx</c> is missing the kind comes from .NET and the identity is null.
/// </summary>
internal readonly record struct FileStatus(FileKind Kind, (ulong Device, ulong Inode)? Identity)
{
    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxIno = 0x100;
    private const int StatxSize = 256;

    /// <summary>The status of what <paramref name="path"/> names, following links unless <paramref name="followLinks"/> is false.</summary>
    public static unsafe FileStatus Of(string path, bool followLinks = true)
    {
        if (OperatingSystem.IsLinux())
        {
            byte* buffer = stackalloc byte[StatxSize];
            try
            {
                if (Statx(AtCurrentDirectory, path, followLinks ? 0 : AtSymlinkNoFollow, StatxType | StatxIno, buffer) == 0)
                {
                    // struct statx: stx_mode (u16) at 28, stx_ino (u64) at 32, stx_dev_major/minor (u32) at 136/140.
                    ushort mode = *(ushort*)(buffer + 28);
                    ulong inode = *(ulong*)(buffer + 32);
                    ulong device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
                    return new FileStatus(KindOf(mode), (device, inode));
                }
                return new FileStatus(Marshal.GetLastPInvokeError() is 2 or 20 or 40 ? FileKind.Missing : FileKind.Unknown, null);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                // An old C library: fall through to what .NET can tell.
            }
        }
        if (Directory.Exists(path)) return new FileStatus(FileKind.Directory, null);
        return new FileStatus(File.Exists(path) ? FileKind.Unknown : FileKind.Missing, null);
    }

    /// <summary>
    /// Refuses, with one line naming <paramref name="path"/>, anything but an existing regular file (links followed):
    /// a FIFO would make whoever opens it wait forever for a writer, a device never ends.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What it should be, for the message ("a video").</param>
    public static void RequireRegularFile(string path, string what)
    {
        var kind = Of(path).Kind;
        if (kind == FileKind.Missing)
            throw new DeepImpression.Core.InvalidInputException(Of(path, followLinks: false).Kind == FileKind.SymbolicLink
                ? $"{path}: a link to a file that does not exist."
                : $"{path}: file not found.");
        if (kind is not (FileKind.Regular or FileKind.Unknown))
            throw new DeepImpression.Core.InvalidInputException($"{path}: not a regular file but {Describe(kind)}; {what} must be a file.");
    }

    /// <summary>A few words for messages: "a FIFO (named pipe)", "a folder", ...</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a folder",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.SymbolicLink => "a symbolic link",
        _ => "of an unknown kind",
    };

    private static FileKind KindOf(ushort mode) => (mode & 0xF000) switch
    {
        0x8000 => FileKind.Regular,
        0x4000 => FileKind.Directory,
        0x1000 => FileKind.Fifo,
        0x2000 => FileKind.CharacterDevice,
        0x6000 => FileKind.BlockDevice,
        0xC000 => FileKind.Socket,
        0xA000 => FileKind.SymbolicLink,
        _ => FileKind.Unknown,
    };

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern unsafe int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buffer);
}
