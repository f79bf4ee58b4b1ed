using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace CniDashboard.Shared.Cni;

/// <summary>What an inode is, as the file system reports it (not what its name suggests).</summary>
public enum HostEntryType
{
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link (only from <see cref="HostFileSystem.Lstat(string)"/>).</summary>
    Symlink,
    /// <summary>A named pipe.</summary>
    Fifo,
    /// <summary>A Unix domain socket.</summary>
    Socket,
    /// <summary>A character device.</summary>
    CharacterDevice,
    /// <summary>A block device.</summary>
    BlockDevice,
    /// <summary>Anything else.</summary>
    Other,
}

/// <summary>The facts of one inode: type, permission bits, size, mtime, hard-link count and identity.</summary>
/// <param name="Type">What the inode is.</param>
/// <param name="Mode">Permission bits (and set-id/sticky bits).</param>
/// <param name="Size">Size in bytes (for a link, the length of its target text).</param>
/// <param name="ModifiedAt">Last modification time.</param>
/// <param name="LinkCount">Hard links to the inode.</param>
/// <param name="Device">The device the inode is on.</param>
/// <param name="Inode">The inode number.</param>
public readonly record struct HostFileFacts(HostEntryType Type, UnixFileMode Mode, long Size, DateTimeOffset ModifiedAt, int LinkCount, ulong Device, ulong Inode)
{
    /// <summary>The kind to report for an entry that is not a regular file, directory or link; null for those.</summary>
    public SpecialFileKind? SpecialKind => Type switch
    {
        HostEntryType.Regular or HostEntryType.Directory or HostEntryType.Symlink => null,
        HostEntryType.Fifo => SpecialFileKind.Fifo,
        HostEntryType.Socket => SpecialFileKind.Socket,
        HostEntryType.CharacterDevice => SpecialFileKind.CharacterDevice,
        HostEntryType.BlockDevice => SpecialFileKind.BlockDevice,
        _ => SpecialFileKind.Other,
    };

    /// <summary>True when both describe the same inode.</summary>
    public bool IsSameInode(HostFileFacts other) => Device == other.Device && Inode == other.Inode;
}

/// <summary>
/// The POSIX calls .NET does not expose, for reading folders that someone else controls: the type
/// and link count of an entry without following it (<c>lstat</c>), and opening a file so that open
/// itself can never block (<c>O_NONBLOCK</c>: a named pipe opens at once instead of waiting for a
/// writer) and then checking that what was opened is the very regular file that was checked
/// (<c>fstat</c>: the same device and inode), so a swap between the check and the open is refused.
/// Linux only (<see cref="IsSupported"/>); the agent runs nowhere else.
/// </summary>
public static unsafe partial class HostFileSystem
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxBufferSize = 256;
    private const int ORdOnly = 0;
    private const int ONoCtty = 0x100;
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;
    private const int ReadChunk = 1024 * 1024;
    private const int HashChunk = 16 * 1024;

    // Paths go to the kernel as bytes: a name in a folder someone else controls need not be UTF-8.
    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static partial int Statx(int dirfd, byte* path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int Open(byte* path, int flags);

    [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true)]
    private static partial nint ReadLinkCore(byte* path, byte* buffer, nint size);

    [LibraryImport("libc", EntryPoint = "opendir", SetLastError = true)]
    private static partial nint OpenDir(byte* path);

    [LibraryImport("libc", EntryPoint = "readdir64", SetLastError = true)]
    private static partial byte* ReadDir(nint dir);

    [LibraryImport("libc", EntryPoint = "closedir")]
    private static partial int CloseDir(nint dir);

    private const int DirentNameOffset = 19;

    /// <summary>True where these calls exist (Linux).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>The entry itself, a link not followed. Throws <see cref="IOException"/> when it cannot be read.</summary>
    public static HostFileFacts Lstat(string path) => StatAt(AtFdCwd, PathBytes(path), AtSymlinkNoFollow, path);

    /// <summary><see cref="Lstat(string)"/> of a path given as bytes.</summary>
    public static HostFileFacts Lstat(byte[] path) => StatAt(AtFdCwd, path, AtSymlinkNoFollow, Display(path));

    /// <summary>What the path resolves to, links followed. Throws <see cref="IOException"/> when it cannot be read.</summary>
    public static HostFileFacts Stat(string path) => StatAt(AtFdCwd, PathBytes(path), 0, path);

    /// <summary>The entries of a folder as the kernel names them (bytes, not necessarily UTF-8), without <c>.</c> and <c>..</c>.</summary>
    public static List<byte[]> ListNames(string dir)
    {
        EnsureSupported();
        var names = new List<byte[]>();
        var path = PathBytes(dir);
        nint handle;
        fixed (byte* p = path) handle = OpenDir(p);
        if (handle == 0) throw Failure("opendir", dir);
        try
        {
            while (true)
            {
                var entry = ReadDir(handle);
                if (entry is null) break;
                var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(entry + DirentNameOffset);
                if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)) continue;
                names.Add(name.ToArray());
            }
        }
        finally
        {
            CloseDir(handle);
        }
        return names;
    }

    /// <summary>The target a symbolic link holds, as bytes. Throws <see cref="IOException"/> when it is not a link.</summary>
    public static byte[] ReadLink(byte[] path)
    {
        EnsureSupported();
        var buffer = new byte[4096];
        nint length;
        fixed (byte* p = Terminated(path))
        fixed (byte* b = buffer)
        {
            length = ReadLinkCore(p, b, buffer.Length);
        }
        if (length < 0) throw Failure("readlink", Display(path));
        return buffer[..(int)length];
    }

    /// <summary>A name for display: itself when it is UTF-8, otherwise each byte that is not UTF-8 written as <c>\xNN</c>.</summary>
    public static string Display(ReadOnlySpan<byte> name)
    {
        if (System.Text.Unicode.Utf8.IsValid(name)) return System.Text.Encoding.UTF8.GetString(name);
        var text = new System.Text.StringBuilder(name.Length + 8);
        while (!name.IsEmpty)
        {
            var status = System.Text.Rune.DecodeFromUtf8(name, out var rune, out var consumed);
            if (status == System.Buffers.OperationStatus.Done) text.Append(rune.ToString());
            else text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{name[0]:X2}");
            name = name[(status == System.Buffers.OperationStatus.Done ? consumed : 1)..];
        }
        return text.ToString();
    }

    /// <summary>
    /// Opens <paramref name="path"/> for reading, only if it is still the regular file
    /// <paramref name="expected"/> describes (same device and inode, one hard link unless
    /// <paramref name="allowHardLinks"/>). Never blocks in open. Throws <see cref="IOException"/>
    /// when it cannot be opened or is no longer that file.
    /// </summary>
    public static SafeFileHandle OpenChecked(string path, HostFileFacts expected, bool allowHardLinks = false) =>
        OpenChecked(PathBytes(path), expected, allowHardLinks);

    /// <summary><see cref="OpenChecked(string, HostFileFacts, bool)"/> of a path given as bytes.</summary>
    public static SafeFileHandle OpenChecked(byte[] path, HostFileFacts expected, bool allowHardLinks = false)
    {
        EnsureSupported();
        int fd;
        fixed (byte* p = Terminated(path)) fd = Open(p, ORdOnly | ONonBlock | ONoCtty | OCloExec);
        var name = Path.GetFileName(Display(path));
        if (fd < 0) throw Failure("open", name);
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var opened = StatAt(fd, [], AtEmptyPath, name);
            if (opened.Type != HostEntryType.Regular || !opened.IsSameInode(expected))
                throw new IOException($"{name} changed while it was being opened; not read");
            if (opened.LinkCount > 1 && !allowHardLinks)
                throw new IOException($"{name} has {opened.LinkCount} hard links; not read");
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads a regular file's first <paramref name="max"/> + 1 bytes at most (so a caller can tell "more than max").</summary>
    public static byte[] ReadAtMost(SafeFileHandle handle, int max, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var limit = (long)max + 1;
        var length = Math.Min(RandomAccess.GetLength(handle), limit);
        var buffer = new byte[length];
        var read = 0L;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (read == buffer.Length)
            {
                // The file grew since it was measured: take one byte more to learn whether it is over the cap.
                if (buffer.Length >= limit) break;
                Array.Resize(ref buffer, (int)Math.Min(limit, buffer.Length * 2L + 1));
            }
            var n = RandomAccess.Read(handle, buffer.AsSpan((int)read, (int)Math.Min(buffer.Length - read, ReadChunk)), read);
            if (n == 0) break;
            read += n;
        }
        return read == buffer.Length ? buffer : buffer[..(int)read];
    }

    /// <summary>Reads a whole regular file, refusing (with <see cref="IOException"/>) one larger than <paramref name="max"/> bytes.</summary>
    public static byte[] ReadAll(SafeFileHandle handle, int max, string name, CancellationToken cancellationToken = default)
    {
        var bytes = ReadAtMost(handle, max, cancellationToken);
        if (bytes.Length > max) throw new IOException($"{name} is larger than {max} bytes; not read");
        return bytes;
    }

    /// <summary>Lower-case hex SHA-256 of a regular file, or null when it is longer than <paramref name="maxBytes"/>.</summary>
    public static string? Sha256(SafeFileHandle handle, long maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handle);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // A small pooled buffer: plugin binaries are tens of megabytes, and a large buffer per hash
        // would be a large-object allocation each time, which an idle agent keeps resident.
        var buffer = ArrayPool<byte>.Shared.Rent(HashChunk);
        try
        {
            var offset = 0L;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var n = RandomAccess.Read(handle, buffer.AsSpan(0, HashChunk), offset);
                if (n == 0) break;
                offset += n;
                if (offset > maxBytes) return null;
                hash.AppendData(buffer, 0, n);
            }
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads a whole file that must be a regular file with one link (state the agent keeps for itself:
    /// backups, the journal), without ever blocking on something else put in its place.
    /// </summary>
    public static byte[] ReadRegularFile(string path, int max, CancellationToken cancellationToken = default)
    {
        if (!IsSupported) return File.ReadAllBytes(path);
        var facts = Lstat(path);
        if (facts.Type != HostEntryType.Regular) throw new IOException($"{Path.GetFileName(path)} is not a regular file; not read");
        using var handle = OpenChecked(path, facts);
        return ReadAll(handle, max, Path.GetFileName(path), cancellationToken);
    }

    private static byte[] PathBytes(string path) => System.Text.Encoding.UTF8.GetBytes(path);

    private static byte[] Terminated(byte[] path) => [.. path, 0];

    private static HostFileFacts StatAt(int dirfd, byte[] path, int flags, string display)
    {
        EnsureSupported();
        // statx's buffer layout is the same on every architecture, unlike struct stat.
        var buffer = stackalloc byte[StatxBufferSize];
        int result;
        fixed (byte* p = Terminated(path)) result = Statx(dirfd, p, flags, StatxBasicStats, buffer);
        if (result != 0) throw Failure("stat", display);
        var mode = *(ushort*)(buffer + 28);
        var type = (mode & 0xF000) switch
        {
            0x8000 => HostEntryType.Regular,
            0x4000 => HostEntryType.Directory,
            0xA000 => HostEntryType.Symlink,
            0x1000 => HostEntryType.Fifo,
            0xC000 => HostEntryType.Socket,
            0x2000 => HostEntryType.CharacterDevice,
            0x6000 => HostEntryType.BlockDevice,
            _ => HostEntryType.Other,
        };
        var seconds = *(long*)(buffer + 112);
        var nanoseconds = *(uint*)(buffer + 120);
        var device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
        return new HostFileFacts(
            type,
            (UnixFileMode)(mode & 0xFFF),
            (long)*(ulong*)(buffer + 40),
            DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanoseconds / 100),
            (int)Math.Min(*(uint*)(buffer + 16), int.MaxValue),
            device,
            *(ulong*)(buffer + 32));
    }

    private static void EnsureSupported()
    {
        if (!IsSupported) throw new PlatformNotSupportedException("host file checks need Linux");
    }

    private static IOException Failure(string call, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        var name = Path.GetFileName(path);
        return errno switch
        {
            2 => new FileNotFoundException($"{call} {name}: no such file", name),
            13 or 1 => new IOException($"{call} {name}: permission denied (errno {errno})"),
            _ => new IOException($"{call} {(name.Length == 0 ? "(open file)" : name)} failed (errno {errno})"),
        };
    }
}
