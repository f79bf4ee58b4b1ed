using CniDashboard.Shared.Agent;

namespace CniDashboard.Agent.Node;

/// <summary>What an apply, delete or restore came to: a result (200) or a refusal with its HTTP status.</summary>
public sealed record FileChangeOutcome
{
    /// <summary>The HTTP status to answer with.</summary>
    public required int StatusCode { get; init; }

    /// <summary>The result, on success.</summary>
    public FileChangeResult? Result { get; init; }

    /// <summary>The refusal, otherwise.</summary>
    public AgentError? Error { get; init; }

    internal static FileChangeOutcome Ok(FileChangeResult result) => new() { StatusCode = StatusCodes.Status200OK, Result = result };

    internal static FileChangeOutcome Fail(int status, string code, string message, string? currentSha256 = null) =>
        new() { StatusCode = status, Error = new AgentError { Code = code, Message = message, CurrentSha256 = currentSha256 } };
}

/// <summary>What a pin or unpin came to: the backup as it is now (200) or a refusal with its HTTP status.</summary>
public sealed record BackupOutcome
{
    /// <summary>The HTTP status to answer with.</summary>
    public required int StatusCode { get; init; }

    /// <summary>The backup, on success.</summary>
    public BackupInfo? Backup { get; init; }

    /// <summary>The refusal, otherwise.</summary>
    public AgentError? Error { get; init; }

    internal static BackupOutcome Ok(BackupInfo backup) => new() { StatusCode = StatusCodes.Status200OK, Backup = backup };

    internal static BackupOutcome Fail(int status, string code, string message) =>
        new() { StatusCode = status, Error = new AgentError { Code = code, Message = message } };
}
