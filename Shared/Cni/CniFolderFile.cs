using CniDashboard.Shared.Kubeconfig;

namespace CniDashboard.Shared.Cni;

/// <summary>
/// One entry of a node's CNI folder as the agent saw it. The same record travels in the agent's
/// snapshot, is kept by the dashboard, and is what the analyzer reads.
/// </summary>
public sealed record CniFolderFile
{
    /// <summary>
    /// The entry's name in the folder (never a path). A name that is not UTF-8 is shown with each
    /// such byte as <c>\xNN</c>; its bytes are in <see cref="RawName"/>.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>Lower-case hex of the name's bytes, only when they are not UTF-8 (the runtime sorts and opens by bytes).</summary>
    public string? RawName { get; init; }

    /// <summary>What the entry is for.</summary>
    public CniFileKind Kind { get; init; }

    /// <summary>Size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>Permission bits in octal, e.g. <c>0644</c>.</summary>
    public string? Mode { get; init; }

    /// <summary>Last modification time.</summary>
    public DateTimeOffset? ModifiedAt { get; init; }

    /// <summary>Lower-case hex SHA-256 of the bytes on disk (before any redaction).</summary>
    public string? Sha256 { get; init; }

    /// <summary>
    /// The text, when it is UTF-8 and within the size cap. Kubeconfig tokens are already redacted
    /// (<see cref="TokenRedactor"/>), so this can be shown and stored.
    /// </summary>
    public string? Content { get; init; }

    /// <summary>Why <see cref="Content"/> is absent, when it is.</summary>
    public ContentOmission? ContentOmitted { get; init; }

    /// <summary>True for a symbolic link.</summary>
    public bool IsSymlink { get; init; }

    /// <summary>Where a symbolic link points, as written in the link.</summary>
    public string? SymlinkTarget { get; init; }

    /// <summary>True when a symbolic link resolves outside the folder (its content is never read).</summary>
    public bool SymlinkLeavesFolder { get; init; }

    /// <summary>True for a directory (the runtime skips directories).</summary>
    public bool IsDirectory { get; init; }

    /// <summary>
    /// For an entry that is neither a regular file, a directory nor a link (a named pipe, a socket, a
    /// device): what it is. The agent never opens such an entry, since opening a pipe blocks.
    /// </summary>
    public SpecialFileKind? SpecialKind { get; init; }

    /// <summary>
    /// The file's hard-link count, when it is above one. Another name of the same file may be anywhere
    /// on the host's file system, so the agent withholds its content (<see cref="ContentOmission.HardLinked"/>).
    /// </summary>
    public int? LinkCount { get; init; }

    /// <summary>Facts read from a kubeconfig before its token was redacted.</summary>
    public KubeconfigFacts? Kubeconfig { get; init; }

    /// <summary>For a config file: whether it loads, and why not.</summary>
    public ConfigLoadError? LoadError { get; init; }
}

/// <summary>What an entry of the CNI folder is for.</summary>
public enum CniFileKind
{
    /// <summary>A name the runtime may load: <c>.conf</c>, <c>.conflist</c>, <c>.json</c>.</summary>
    Config,
    /// <summary>A kubeconfig a plugin reads (e.g. <c>ZZZ-linkerd-cni-kubeconfig</c>).</summary>
    Kubeconfig,
    /// <summary>Anything else: backups, temp files, directories.</summary>
    Other,
}

/// <summary>Why a file's content is not in a snapshot.</summary>
public enum ContentOmission
{
    /// <summary>Larger than the agent's content cap.</summary>
    TooLarge,
    /// <summary>Not UTF-8 text.</summary>
    Binary,
    /// <summary>A symbolic link that leaves the folder.</summary>
    SymlinkOutsideFolder,
    /// <summary>The agent could not read it.</summary>
    Unreadable,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>Not a regular file (a named pipe, socket or device; see <see cref="CniFolderFile.SpecialKind"/>): never opened.</summary>
    SpecialFile,
    /// <summary>A regular file with more than one hard link: it may be a file from elsewhere on the host, so it is not read.</summary>
    HardLinked,
}

/// <summary>What a folder entry is when it is not a regular file, a directory or a symbolic link.</summary>
public enum SpecialFileKind
{
    /// <summary>A named pipe (FIFO): opening it for reading blocks until a writer appears.</summary>
    Fifo,
    /// <summary>A Unix domain socket.</summary>
    Socket,
    /// <summary>A character device.</summary>
    CharacterDevice,
    /// <summary>A block device.</summary>
    BlockDevice,
    /// <summary>Any other type the file system reports.</summary>
    Other,
}

/// <summary>A plugin executable in the node's CNI bin folder (<c>/opt/cni/bin</c>).</summary>
/// <param name="Name">The executable's name, which is the plugin <c>type</c> that runs it.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Sha256">Lower-case hex SHA-256, when the agent hashed it.</param>
public sealed record PluginBinary(string Name, long Size, string? Sha256)
{
    /// <summary>Set when the entry is not a regular file (a named pipe, a socket, a device): listed, never opened or hashed.</summary>
    public SpecialFileKind? SpecialKind { get; init; }
}
