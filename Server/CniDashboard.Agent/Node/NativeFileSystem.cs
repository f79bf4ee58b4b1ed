using System.Runtime.InteropServices;

namespace CniDashboard.Agent.Node;

/// <summary>
/// The few POSIX calls .NET does not expose: fsync of a directory (so a rename survives a power
/// cut), and reading/setting a file's owner (so a rewritten file keeps it).
/// </summary>
internal static partial class NativeFileSystem
{
    private const int ORdOnly = 0;
    private const int StatxBufferSize = 256;
    private const int StatxUidOffset = 20;
    private const int StatxGidOffset = 24;
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxUid = 0x8;
    private const uint StatxGid = 0x10;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LChown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>Flushes a directory's entries (a rename in it) to disk.</summary>
    public static void FsyncDirectory(string dir)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = Open(dir, ORdOnly);
        if (fd < 0) throw new IOException($"cannot open folder for fsync (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"fsync of the folder failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>The owner of a file (not following links), or null when it cannot be read here.</summary>
    public static unsafe (uint Uid, uint Gid)? OwnerOf(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        // statx's buffer layout is the same on every architecture, unlike struct stat.
        var buffer = stackalloc byte[StatxBufferSize];
        try
        {
            if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxUid | StatxGid, buffer) != 0) return null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
        return (*(uint*)(buffer + StatxUidOffset), *(uint*)(buffer + StatxGidOffset));
    }

    /// <summary>Sets a file's owner; false when the process may not (not root).</summary>
    public static bool TrySetOwner(string path, uint uid, uint gid) =>
        OperatingSystem.IsLinux() && LChown(path, uid, gid) == 0;
}
