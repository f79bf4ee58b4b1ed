namespace CniDashboard.Agent;

/// <summary>
/// The agent's log lines. Write lines carry ids, names and hashes only — never file content, never
/// a token — so the log can be shipped anywhere.
/// </summary>
internal static partial class AgentLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "{Operation} {File} on {Node}: change {ChangeId} by {Caller}, sha256 {OldSha256} -> {NewSha256}, backup {BackupId}, reason {Reason}")]
    public static partial void FileWritten(ILogger logger, string operation, string file, string node, string changeId, string caller, string oldSha256, string newSha256, string backupId, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "{Operation} {File} on {Node} refused: change {ChangeId} by {Caller}: {Code}")]
    public static partial void WriteRefused(ILogger logger, string operation, string file, string node, string changeId, string caller, string code);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "{Operation} {File} on {Node}: change {ChangeId} by {Caller} replayed, nothing written")]
    public static partial void WriteReplayed(ILogger logger, string operation, string file, string node, string changeId, string caller);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error,
        Message = "{Operation} {File} on {Node} failed: change {ChangeId} by {Caller}: {Error}")]
    public static partial void WriteFailed(ILogger logger, string operation, string file, string node, string changeId, string caller, string error);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Removed temp file {File} left in {Node}'s CNI folder by an interrupted write")]
    public static partial void StrayTempRemoved(ILogger logger, string file, string node);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Folder watcher for {Node} failed ({Error}); relying on rescans")]
    public static partial void WatcherFailed(ILogger logger, string node, string error);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Snapshot of {Node} failed: {Error}")]
    public static partial void SnapshotFailed(ILogger logger, string node, string error);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Token review failed: {Error}")]
    public static partial void TokenReviewFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Agent {Version} serving node {Node} (CNI folder {CniDir}, auth {AuthMode}) on {Listen}")]
    public static partial void Started(ILogger logger, string version, string node, string cniDir, string authMode, string listen);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning,
        Message = "Serving plain HTTP: callers' bearer tokens cross the node network in clear text. Pass --tls-cert and --tls-key; plain HTTP is for tests and development only")]
    public static partial void ServingPlainHttp(ILogger logger);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Serving TLS with certificate {Certificate}")]
    public static partial void ServingTls(ILogger logger, string certificate);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "TLS certificate files changed; now serving {Certificate}")]
    public static partial void ServingCertificateReloaded(ILogger logger, string certificate);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "TLS certificate files changed but cannot be served ({Error}); still serving the previous certificate")]
    public static partial void ServingCertificateNotReloaded(ILogger logger, string error);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Reading {Node}'s folders takes longer than {DeadlineSeconds} s (a hung file system?); answering 503 and not ready until it completes")]
    public static partial void SnapshotOverdue(ILogger logger, string node, double deadlineSeconds);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "{Operation} backup {BackupId} on {Node} for {Owner} by {Caller}")]
    public static partial void BackupPinChanged(ILogger logger, string operation, string backupId, string node, string owner, string caller);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "Announced {Node}'s manifest hash {ManifestHash} on its Pod")]
    public static partial void Announced(ILogger logger, string node, string manifestHash);

    [LoggerMessage(EventId = 17, Level = LogLevel.Warning, Message = "Announcing {Node}'s manifest hash failed ({Error}); retrying in {RetrySeconds:0.#} s")]
    public static partial void AnnouncementFailed(ILogger logger, string node, string error, double retrySeconds);
}
