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

/// <summary>
/// <c>POST /v1/files/{name}/delete</c>: remove one file of the folder (a stray copy, a leftover
/// kubeconfig), with the same precondition, backup, idempotency and journal as an apply. Any regular
/// file of the folder with one link may be deleted; directories, links, pipes are refused.
/// </summary>
public sealed record DeleteFileRequest
{
    /// <summary>Caller's id for this change; re-sending it after success changes nothing.</summary>
    public required string ChangeId { get; init; }

    /// <summary>SHA-256 of the content being deleted; the agent refuses (409) if the file differs.</summary>
    public required string ExpectedSha256 { get; init; }

    /// <summary>Why, for the node's log.</summary>
    public string? Reason { get; init; }
}

/// <summary><c>POST /v1/files/{name}/restore</c>: put a backup back.</summary>
public sealed record RestoreFileRequest
{
    /// <summary>Caller's id for this change; re-sending it after success changes nothing.</summary>
    public required string ChangeId { get; init; }

    /// <summary>The backup to restore (from a change result or <c>GET /v1/backups</c>).</summary>
    public required string BackupId { get; init; }

    /// <summary>
    /// SHA-256 of the content being replaced; the agent refuses (409) if the file differs. Null when
    /// the file must not exist — restoring a file a delete removed (the result's
    /// <see cref="FileChangeResult.NewSha256"/> is null after a delete, so a rollback passes it as it is).
    /// Left out, it means the same: a restore never overwrites a file it was not told the hash of. (A
    /// file that already holds exactly the backup's bytes is the restore done: 200, <c>replayed</c>.)
    /// </summary>
    public string? ExpectedSha256 { get; init; }
}

/// <summary>
/// <c>POST /v1/backups/{id}/pin</c> and <c>/unpin</c>: who holds a backup. A pinned backup is never
/// pruned (by age or count) until every owner has unpinned it.
/// </summary>
public sealed record PinBackupRequest
{
    /// <summary>The pin's owner, e.g. a remediation plan's id: 1-128 letters, digits, '.', '_' or '-'.</summary>
    public required string Owner { get; init; }
}

/// <summary>The result of an apply, delete or restore.</summary>
public sealed record FileChangeResult
{
    /// <summary>The change id it answers.</summary>
    public required string ChangeId { get; init; }

    /// <summary>The file.</summary>
    public required string File { get; init; }

    /// <summary>SHA-256 before the change; null when the file did not exist (a restore of a deleted file).</summary>
    public string? PreviousSha256 { get; init; }

    /// <summary>SHA-256 after the change; null when the change deleted the file.</summary>
    public string? NewSha256 { get; init; }

    /// <summary>The backup of the previous content (to restore it by); null when there was none to take.</summary>
    public string? BackupId { get; init; }

    /// <summary>What the change did: <c>apply</c>, <c>delete</c> or <c>restore</c>.</summary>
    public string? Operation { get; init; }

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

    /// <summary>The change that made it: <c>apply</c>, <c>delete</c> or <c>restore</c>.</summary>
    public string? Operation { get; init; }

    /// <summary>
    /// What that change left in the file (null after a delete): the <c>expectedSha256</c> to restore
    /// this backup with while nothing else changed the file since.
    /// </summary>
    public string? NewSha256 { get; init; }

    /// <summary>Who pinned it (e.g. plan ids); a pinned backup is never pruned. Empty when unpinned.</summary>
    public IReadOnlyList<string> PinnedBy { get; init; } = [];
}
