using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Agent;

/// <summary>
/// <c>GET /v1/snapshot</c>: everything the agent sees in the node's CNI folder. Kubeconfig tokens
/// are redacted on the node; nothing secret is in here.
/// </summary>
public sealed record NodeSnapshot
{
    /// <summary>The node the agent runs on.</summary>
    public required string NodeName { get; init; }

    /// <summary>The agent's version.</summary>
    public required string AgentVersion { get; init; }

    /// <summary>When the folder was read.</summary>
    public required DateTimeOffset TakenAt { get; init; }

    /// <summary>The CNI folder as the host knows it (e.g. <c>/etc/cni/net.d</c>).</summary>
    public required string CniDir { get; init; }

    /// <summary>Every entry of the folder, in byte order of names.</summary>
    public required IReadOnlyList<CniFolderFile> Files { get; init; }

    /// <summary>Plugin executables in the bin folder; null when it could not be read.</summary>
    public IReadOnlyList<PluginBinary>? Binaries { get; init; }

    /// <summary>Why <see cref="Binaries"/> is null.</summary>
    public string? BinariesError { get; init; }

    /// <summary>The file the runtime loads (see <see cref="PrimaryConfigSelector"/>), or null.</summary>
    public string? PrimaryFile { get; init; }

    /// <summary>Whether the node has a working configuration.</summary>
    public PrimaryStatus PrimaryStatus { get; init; }

    /// <summary>The plugin types of the primary's chain, in ADD order.</summary>
    public IReadOnlyList<string> Chain { get; init; } = [];

    /// <summary>
    /// Hash over names, sizes, modes, content hashes, links and binaries — not times — which is also
    /// the strong ETag. Equal hashes mean nothing that matters changed.
    /// </summary>
    public required string ManifestHash { get; init; }
}

/// <summary><c>POST /v1/files/{name}/apply</c>: new content for one existing file.</summary>
public sealed record ApplyFileRequest
{
    /// <summary>Caller's id for this change; re-sending it after success changes nothing.</summary>
    public required string ChangeId { get; init; }

    /// <summary>SHA-256 of the content being replaced; the agent refuses (409) if the file differs.</summary>
    public required string ExpectedSha256 { get; init; }

    /// <summary>The new content.</summary>
    public required string Content { get; init; }

    /// <summary>Why, for the node's log.</summary>
    public string? Reason { get; init; }
}

/// <summary><c>POST /v1/files/{name}/restore</c>: put a backup back.</summary>
public sealed record RestoreFileRequest
{
    /// <summary>Caller's id for this change; re-sending it after success changes nothing.</summary>
    public required string ChangeId { get; init; }

    /// <summary>The backup to restore (from an apply result or <c>GET /v1/backups</c>).</summary>
    public required string BackupId { get; init; }

    /// <summary>SHA-256 of the content being replaced; the agent refuses (409) if the file differs.</summary>
    public required string ExpectedSha256 { get; init; }
}

/// <summary>The result of an apply or restore.</summary>
public sealed record FileChangeResult
{
    /// <summary>The change id it answers.</summary>
    public required string ChangeId { get; init; }

    /// <summary>The file.</summary>
    public required string File { get; init; }

    /// <summary>SHA-256 before the change.</summary>
    public required string PreviousSha256 { get; init; }

    /// <summary>SHA-256 after the change.</summary>
    public required string NewSha256 { get; init; }

    /// <summary>The backup of the previous content.</summary>
    public required string BackupId { get; init; }

    /// <summary>True when this is a replay of a change already made (nothing was written).</summary>
    public bool Replayed { get; init; }
}

/// <summary>A refusal from the agent (4xx), with the file's current hash when it matters (409).</summary>
public sealed record AgentError
{
    /// <summary>A stable code: <c>invalid-name</c>, <c>not-found</c>, <c>invalid-content</c>, <c>sha-mismatch</c>, <c>backup-not-found</c>, <c>unauthorized</c>, <c>forbidden</c>, … (all listed in <see cref="AgentErrorCodes"/>).</summary>
    public required string Code { get; init; }

    /// <summary>What went wrong, in a sentence.</summary>
    public required string Message { get; init; }

    /// <summary>The file's current SHA-256 (on <c>sha-mismatch</c>).</summary>
    public string? CurrentSha256 { get; init; }
}

/// <summary>One backup kept by the agent (outside the CNI folder).</summary>
public sealed record BackupInfo
{
    /// <summary>The id to restore it by.</summary>
    public required string Id { get; init; }

    /// <summary>The change that made it.</summary>
    public required string ChangeId { get; init; }

    /// <summary>The file it is a copy of.</summary>
    public required string File { get; init; }

    /// <summary>SHA-256 of the saved content.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>When it was made.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}
