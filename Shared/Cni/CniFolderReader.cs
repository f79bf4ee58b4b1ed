using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using CniDashboard.Shared.Kubeconfig;

namespace CniDashboard.Shared.Cni;

/// <summary>Limits for reading a CNI folder.</summary>
public sealed record CniFolderReadOptions
{
    /// <summary>Largest content kept in a snapshot (larger files are listed and hashed, content omitted).</summary>
    public int MaxContentBytes { get; init; } = 256 * 1024;

    /// <summary>Largest file hashed; bigger files are listed without a hash.</summary>
    public long MaxHashBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Most entries listed; a folder with more is cut (and says so by its last entry).</summary>
    public int MaxEntries { get; init; } = 1000;
}

/// <summary>
/// Reads a real CNI folder into <see cref="CniFolderFile"/> entries: never follows a link out of the
/// folder, never opens anything but a regular file (a named pipe would block the reader), withholds
/// the content of files with more than one hard link (another name of the same file may be anywhere
/// on the host), keeps at most <see cref="CniFolderReadOptions.MaxContentBytes"/> of text, reads
/// kubeconfig facts from the raw text and then redacts every secret from what it keeps.
/// </summary>
public static class CniFolderReader
{
    /// <summary>
    /// Lists the folder in the runtime's byte order. Throws <see cref="DirectoryNotFoundException"/>
    /// or <see cref="UnauthorizedAccessException"/> when the folder itself cannot be read; a file that
    /// cannot be read becomes an entry with <see cref="ContentOmission.Unreadable"/>. Every file read
    /// is bounded (opened without blocking, at most <see cref="CniFolderReadOptions.MaxHashBytes"/> read).
    /// </summary>
    public static IReadOnlyList<CniFolderFile> Read(string dir, CniFolderReadOptions? options = null)
    {
        options ??= new CniFolderReadOptions();
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        var folder = new DirectoryInfo(root);
        if (!folder.Exists) throw new DirectoryNotFoundException($"CNI folder not found: {root}");

        var entries = new List<CniFolderFile>();
        if (HostFileSystem.IsSupported)
        {
            // The kernel's names, as bytes and in byte order (the runtime's order), so a name that is
            // not UTF-8 is still read, sorted and shown faithfully.
            var names = HostFileSystem.ListNames(root);
            names.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
            var rootBytes = Encoding.UTF8.GetBytes(root + "/");
            foreach (var name in names.Take(options.MaxEntries)) entries.Add(ReadEntry(rootBytes, name, options));
            return DistinctNames(entries);
        }

        foreach (var info in folder.EnumerateFileSystemInfos())
        {
            if (entries.Count >= options.MaxEntries) break;
            entries.Add(ReadEntryPortably(root, info, options));
        }
        entries.Sort(CniFolderFileOrder.Instance);
        return entries;
    }

    /// <summary>
    /// Names are keys downstream. A name that is not UTF-8 is shown escaped, which a real name could
    /// spell too (a literal <c>\x80</c>): such an escaped name then also shows its bytes.
    /// </summary>
    private static List<CniFolderFile> DistinctNames(List<CniFolderFile> entries)
    {
        var seen = new HashSet<string>(entries.Where(e => e.RawName is null).Select(e => e.Name), StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].RawName is { } hex && !seen.Add(entries[i].Name))
                entries[i] = entries[i] with { Name = $"{entries[i].Name} (bytes {hex})" };
        }
        return entries;
    }

    /// <summary>Reads one entry of the folder by name (used after a write to re-check a single file).</summary>
    public static CniFolderFile? ReadOne(string dir, string name, CniFolderReadOptions? options = null)
    {
        if (!CniFileNames.IsPlainFileName(name)) return null;
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        var path = Path.Combine(root, name);
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!info.Exists && info.LinkTarget is null) return null;
        options ??= new CniFolderReadOptions();
        return HostFileSystem.IsSupported
            ? ReadEntry(Encoding.UTF8.GetBytes(root + "/"), Encoding.UTF8.GetBytes(name), options)
            : ReadEntryPortably(root, info, options);
    }

    /// <summary>True when <paramref name="path"/> is inside <paramref name="root"/> (both full paths).</summary>
    public static bool IsInside(string root, string path)
    {
        var full = Path.GetFullPath(path);
        return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>
    /// True when <paramref name="path"/> names an entry of <paramref name="root"/> itself, not of a
    /// folder below it: a subfolder may be a link to anywhere, so a path through it is not "inside".
    /// </summary>
    public static bool IsEntryOf(string root, string path) =>
        string.Equals(Path.GetDirectoryName(Path.GetFullPath(path)), root, StringComparison.Ordinal);

    private static CniFolderFile ReadEntry(byte[] root, byte[] rawName, CniFolderReadOptions options)
    {
        var name = HostFileSystem.Display(rawName);
        var entry = new CniFolderFile
        {
            Name = name,
            RawName = Utf8.IsValid(rawName) ? null : Convert.ToHexStringLower(rawName),
            Kind = KindByName(name),
        };
        try
        {
            byte[] path = [.. root, .. rawName];
            var facts = HostFileSystem.Lstat(path);
            entry = entry with { Mode = FormatMode(facts.Mode), ModifiedAt = facts.ModifiedAt };
            if (facts.Type == HostEntryType.Symlink)
            {
                // The link's own facts only: whether its target exists, and its mode, stay on the node
                // unless the target is another entry of this folder.
                var target = HostFileSystem.ReadLink(path);
                entry = entry with { IsSymlink = true, SymlinkTarget = HostFileSystem.Display(target), Size = facts.Size };
                switch (FollowInFolder(root, target, out var finalName))
                {
                    case LinkEnd.LeavesFolder:
                        return entry with { SymlinkLeavesFolder = true, ContentOmitted = ContentOmission.SymlinkOutsideFolder };
                    case LinkEnd.Broken:
                        return entry with { ContentOmitted = ContentOmission.Unreadable, LoadError = BrokenLink(name) };
                }
                path = [.. root, .. finalName];
                facts = HostFileSystem.Lstat(path);
                entry = entry with { Mode = FormatMode(facts.Mode), ModifiedAt = facts.ModifiedAt };
                if (facts.Type == HostEntryType.Directory)
                {
                    return entry with
                    {
                        IsDirectory = true,
                        ContentOmitted = ContentOmission.Directory,
                        LoadError = new ConfigLoadError(ConfigErrorCode.NotAFile, $"{name} is a link to a directory; reading it fails (is a directory)"),
                    };
                }
            }

            return facts.Type switch
            {
                HostEntryType.Directory => entry with { IsDirectory = true, Kind = CniFileKind.Other, ContentOmitted = ContentOmission.Directory },
                HostEntryType.Regular when facts.LinkCount > 1 =>
                    entry with { Size = facts.Size, LinkCount = facts.LinkCount, ContentOmitted = ContentOmission.HardLinked },
                HostEntryType.Regular => ReadRegularFile(entry, path, facts, options),
                _ => entry with { SpecialKind = facts.SpecialKind, ContentOmitted = ContentOmission.SpecialFile },
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return entry with { ContentOmitted = ContentOmission.Unreadable };
        }
    }

    private enum LinkEnd
    {
        InFolder,
        LeavesFolder,
        Broken,
    }

    /// <summary>
    /// Follows a chain of links as long as every hop names an entry of the folder itself — a bare
    /// name (<c>./</c> allowed) or the folder's own absolute path and a name. Anything else (another
    /// folder, <c>..</c>, a path through a subfolder, which may itself be a link) leaves the folder and
    /// is not followed, so nothing about the host outside is ever looked at.
    /// </summary>
    private static LinkEnd FollowInFolder(byte[] root, byte[] target, out byte[] finalName)
    {
        finalName = [];
        for (var hop = 0; hop < MaxLinkHops; hop++)
        {
            if (NameInFolder(root, target) is not { } name) return LinkEnd.LeavesFolder;
            HostFileFacts facts;
            try
            {
                facts = HostFileSystem.Lstat([.. root, .. name]);
            }
            catch (FileNotFoundException)
            {
                return LinkEnd.Broken;
            }
            if (facts.Type != HostEntryType.Symlink)
            {
                finalName = name;
                return LinkEnd.InFolder;
            }
            target = HostFileSystem.ReadLink([.. root, .. name]);
        }
        // As the kernel gives up (ELOOP): the runtime cannot read it either.
        return LinkEnd.Broken;
    }

    private const int MaxLinkHops = 40;

    /// <summary>The entry name a link target denotes in the folder whose path (with a trailing '/') is <paramref name="root"/>, or null.</summary>
    private static byte[]? NameInFolder(byte[] root, byte[] target)
    {
        var span = target.AsSpan();
        if (span.StartsWith("/"u8))
        {
            if (!span.StartsWith(root)) return null;
            span = span[root.Length..];
        }
        byte[]? name = null;
        foreach (var range in span.Split((byte)'/'))
        {
            var part = span[range];
            if (part.IsEmpty || part.SequenceEqual("."u8)) continue;
            if (name is not null || part.SequenceEqual(".."u8)) return null;
            name = part.ToArray();
        }
        return name;
    }

    private static ConfigLoadError BrokenLink(string name) =>
        new(ConfigErrorCode.BrokenLink, $"{name} is a link that leads to no file (dangling, or a loop of links); reading it fails");

    private static CniFolderFile ReadRegularFile(CniFolderFile entry, byte[] path, HostFileFacts facts, CniFolderReadOptions options)
    {
        using var handle = HostFileSystem.OpenChecked(path, facts);
        var bytes = HostFileSystem.ReadAtMost(handle, options.MaxContentBytes);
        if (bytes.Length <= options.MaxContentBytes) return DescribeContent(entry, bytes, options);
        var size = RandomAccess.GetLength(handle);
        var hash = size <= options.MaxHashBytes ? HostFileSystem.Sha256(handle, options.MaxHashBytes) : null;
        return entry with { Size = size, Sha256 = hash, ContentOmitted = ContentOmission.TooLarge };
    }

    // Where the host checks do not exist (a developer's macOS running the simulator): .NET's own view.
    private static CniFolderFile ReadEntryPortably(string root, FileSystemInfo info, CniFolderReadOptions options)
    {
        var name = info.Name;
        var entry = new CniFolderFile { Name = name, Kind = KindByName(name), Mode = ModeOf(info), ModifiedAt = TimeOf(info) };

        try
        {
            if (info.LinkTarget is { } linkTarget)
            {
                entry = entry with { IsSymlink = true, SymlinkTarget = linkTarget };
                var final = info.ResolveLinkTarget(returnFinalTarget: true);
                if (final is null || !IsEntryOf(root, final.FullName))
                    return entry with { SymlinkLeavesFolder = true, ContentOmitted = ContentOmission.SymlinkOutsideFolder };
                if (!final.Exists) return entry with { ContentOmitted = ContentOmission.Unreadable };
                info = final;
            }

            if (info is DirectoryInfo)
                return entry with { IsDirectory = true, Kind = CniFileKind.Other, ContentOmitted = ContentOmission.Directory };

            return ReadContent(entry, (FileInfo)info, options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return entry with { ContentOmitted = ContentOmission.Unreadable };
        }
    }

    private static CniFolderFile ReadContent(CniFolderFile entry, FileInfo file, CniFolderReadOptions options)
    {
        var size = file.Length;
        entry = entry with { Size = size };
        if (size > options.MaxContentBytes)
        {
            var hash = size <= options.MaxHashBytes ? HashFile(file.FullName) : null;
            return entry with { Sha256 = hash, ContentOmitted = ContentOmission.TooLarge };
        }

        var bytes = File.ReadAllBytes(file.FullName);
        return DescribeContent(entry, bytes, options);
    }

    /// <summary>
    /// Describes file content exactly as <see cref="Read"/> would for a file of that name holding those
    /// bytes (kind, hash, load error, kubeconfig facts, redacted text). Lets a simulator, a test or a
    /// benchmark build snapshot entries in memory without a folder on disk.
    /// </summary>
    public static CniFolderFile FromBytes(string name, byte[] bytes, CniFolderReadOptions? options = null)
    {
        var kind = KindByName(name);
        return DescribeContent(new CniFolderFile { Name = name, Kind = kind, Mode = kind == CniFileKind.Kubeconfig ? "0600" : "0644" }, bytes, options ?? new CniFolderReadOptions());
    }

    /// <summary><see cref="FromBytes"/> for UTF-8 text.</summary>
    public static CniFolderFile FromText(string name, string text, CniFolderReadOptions? options = null) =>
        FromBytes(name, Encoding.UTF8.GetBytes(text), options);

    private static CniFileKind KindByName(string name) =>
        CniFileNames.IsCandidate(name) ? CniFileKind.Config
        : name.Contains("kubeconfig", StringComparison.OrdinalIgnoreCase) ? CniFileKind.Kubeconfig
        : CniFileKind.Other;

    private static CniFolderFile DescribeContent(CniFolderFile entry, byte[] bytes, CniFolderReadOptions options)
    {
        entry = entry with { Size = bytes.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)) };
        if (bytes.Length > options.MaxContentBytes)
            return entry with { ContentOmitted = ContentOmission.TooLarge };
        if (bytes.AsSpan().IndexOf((byte)0) >= 0 || !Utf8.IsValid(bytes))
        {
            return entry with
            {
                ContentOmitted = ContentOmission.Binary,
                LoadError = entry.Kind == CniFileKind.Config
                    ? new ConfigLoadError(ConfigErrorCode.NotText, "not UTF-8 text (binary content); it cannot be a JSON configuration")
                    : null,
            };
        }

        var text = Encoding.UTF8.GetString(bytes);
        if (entry.Kind == CniFileKind.Other && KubeconfigReader.LooksLikeKubeconfig(text))
            entry = entry with { Kind = CniFileKind.Kubeconfig };

        if (entry.Kind == CniFileKind.Kubeconfig)
            entry = entry with { Kubeconfig = KubeconfigReader.Read(text) };
        else if (entry.Kind == CniFileKind.Config)
            entry = entry with { LoadError = CniConfigParser.Load(entry.Name, text).Error };

        // Every kept text is redacted: conflists can embed tokens too (old k8s_auth_token blocks).
        return entry with { Content = TokenRedactor.Redact(text) };
    }

    private static string? HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string? ModeOf(FileSystemInfo info)
    {
        if (OperatingSystem.IsWindows()) return null;
        try
        {
            return FormatMode(info.UnixFileMode);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static DateTimeOffset? TimeOf(FileSystemInfo info)
    {
        try
        {
            return new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Formats a mode for display (<c>0600</c>).</summary>
    public static string FormatMode(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8).PadLeft(3, '0');
}

/// <summary>
/// Decides a plugin binary's hash: gets the entry's name, size and mtime, and a function that hashes
/// the file (which it may skip, e.g. to reuse a hash it kept for the same name, size and mtime).
/// </summary>
public delegate string? PluginBinaryHasher(string name, long size, DateTimeOffset modifiedAt, Func<string?> hash);

/// <summary>Reads the plugin executables of <c>/opt/cni/bin</c>.</summary>
public static class CniBinReader
{
    /// <summary>
    /// Lists regular files (and links to files) with size and, when <paramref name="hash"/> is set and
    /// the file is at most <paramref name="maxHashBytes"/>, their SHA-256. Named pipes, sockets and
    /// devices are listed with their kind and never opened.
    /// </summary>
    public static IReadOnlyList<PluginBinary> Read(string binDir, bool hash = true, long maxHashBytes = 256L * 1024 * 1024) =>
        Read(binDir, hash ? (_, _, _, compute) => compute() : null, maxHashBytes, CancellationToken.None);

    /// <summary>Lists the folder as <see cref="Read(string, bool, long)"/> does, with a caller's hashing policy (null: no hashes).</summary>
    public static IReadOnlyList<PluginBinary> Read(string binDir, PluginBinaryHasher? hasher, long maxHashBytes, CancellationToken cancellationToken)
    {
        var folder = new DirectoryInfo(binDir);
        if (!folder.Exists) throw new DirectoryNotFoundException($"CNI bin folder not found: {binDir}");
        var result = new List<PluginBinary>();
        foreach (var info in folder.EnumerateFileSystemInfos())
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (Describe(info, hasher, maxHashBytes, cancellationToken) is { } binary) result.Add(binary);
            }
            catch (FileNotFoundException)
            {
                // A dangling link: nothing to run.
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                result.Add(new PluginBinary(info.Name, 0, null));
            }
        }
        result.Sort((a, b) => Utf8OrdinalComparer.Instance.Compare(a.Name, b.Name));
        return result;
    }

    private static PluginBinary? Describe(FileSystemInfo info, PluginBinaryHasher? hasher, long maxHashBytes, CancellationToken cancellationToken)
    {
        if (!HostFileSystem.IsSupported)
        {
            var target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is not FileInfo { Exists: true } file) return null;
            return new PluginBinary(info.Name, file.Length, hasher?.Invoke(info.Name, file.Length, file.LastWriteTimeUtc, () =>
            {
                using var stream = file.OpenRead();
                return file.Length <= maxHashBytes ? Convert.ToHexStringLower(SHA256.HashData(stream)) : null;
            }));
        }

        // Plugins are often links (to a versioned file, or one multi-call binary), so links are followed here.
        var path = info.FullName;
        var facts = HostFileSystem.Stat(path);
        if (facts.Type == HostEntryType.Directory) return null;
        if (facts.Type != HostEntryType.Regular) return new PluginBinary(info.Name, 0, null) { SpecialKind = facts.SpecialKind };
        return new PluginBinary(info.Name, facts.Size, hasher?.Invoke(info.Name, facts.Size, facts.ModifiedAt, () =>
        {
            if (facts.Size > maxHashBytes) return null;
            // Hard links are normal here (one binary under several plugin names), and binaries are not secret.
            using var handle = HostFileSystem.OpenChecked(path, facts, allowHardLinks: true);
            return HostFileSystem.Sha256(handle, maxHashBytes, cancellationToken);
        }));
    }
}
