namespace CniDashboard.Shared.Agent;

/// <summary>The stable values of <see cref="AgentError.Code"/>, so callers can switch on them.</summary>
public static class AgentErrorCodes
{
    /// <summary>400: the name is not a plain file of the folder (separators, <c>..</c>, a link, a directory).</summary>
    public const string InvalidName = "invalid-name";

    /// <summary>400: the request body is not the expected JSON (malformed, missing fields, bad change id).</summary>
    public const string InvalidRequest = "invalid-request";

    /// <summary>400: the file exists but is not one the agent writes (only <c>.conf</c>, <c>.conflist</c>, <c>.json</c>).</summary>
    public const string NotWritable = "not-writable";

    /// <summary>404: no such file in the folder.</summary>
    public const string NotFound = "not-found";

    /// <summary>404: no such backup.</summary>
    public const string BackupNotFound = "backup-not-found";

    /// <summary>400: the backup is of another file than the one named in the route.</summary>
    public const string BackupMismatch = "backup-mismatch";

    /// <summary>422: the content is not a configuration the runtime would load for the file's extension, or too large.</summary>
    public const string InvalidContent = "invalid-content";

    /// <summary>422: the content holds a redaction placeholder; writing it would replace a real secret with the placeholder.</summary>
    public const string RedactedContent = "redacted-content";

    /// <summary>409: the file's current SHA-256 is not the expected one (see <see cref="AgentError.CurrentSha256"/>; null when the file is absent, or exists where a restore expected it absent).</summary>
    public const string ShaMismatch = "sha-mismatch";

    /// <summary>409: pinning this backup would pass the agent's limit on pinned backups (which bounds their disk use).</summary>
    public const string PinLimit = "pin-limit";

    /// <summary>409: the change id was already used for a different change.</summary>
    public const string ChangeIdReused = "change-id-reused";

    /// <summary>401: no bearer token, or one that does not authenticate.</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>403: authenticated, but not an identity allowed to use the agent.</summary>
    public const string Forbidden = "forbidden";

    /// <summary>503: the token could not be checked (the API server did not answer).</summary>
    public const string AuthUnavailable = "auth-unavailable";

    /// <summary>404: the agent serves no node at the address the request came in on (simulated clusters).</summary>
    public const string UnknownNode = "unknown-node";

    /// <summary>503: the agent cannot read the node's CNI folder.</summary>
    public const string FolderUnreadable = "folder-unreadable";

    /// <summary>503: reading the CNI folder took longer than the agent's deadline (a hung file system); <c>/readyz</c> fails meanwhile.</summary>
    public const string SnapshotTimeout = "snapshot-timeout";

    /// <summary>500: the write failed on the node (I/O error); nothing was renamed into place.</summary>
    public const string WriteFailed = "write-failed";
}
