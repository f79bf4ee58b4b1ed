using System.Data.Common;

namespace CniDashboard.Server.Audit;

/// <summary>
/// TEMPORARY stand-in for the audit log until the hash-chained SQLite log is merged: writes each
/// entry as one log line (actor, action, outcome, target; never the details) and numbers them in
/// memory. Nothing is kept across restarts. Replaced at merge by the real <see cref="IAuditLog"/>.
/// </summary>
internal sealed partial class LoggingAuditLog(ILogger<LoggingAuditLog> logger) : IAuditLog
{
    private long _sequence;

    /// <inheritdoc />
    public Task<long> AppendAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var sequence = Interlocked.Increment(ref _sequence);
        Log(logger, sequence, record.Action, record.Outcome, record.Actor.Subject, record.Actor.Method, record.Target?.Kind ?? "-", record.Target?.Name ?? "-", record.ClientAddress ?? "-");
        return Task.FromResult(sequence);
    }

    /// <inheritdoc />
    public Task<long> AppendAsync(DbConnection connection, DbTransaction transaction, AuditRecord record, CancellationToken cancellationToken) =>
        AppendAsync(record, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "audit #{Sequence} {Action} {Outcome} by {Subject} ({Method}) on {TargetKind} {TargetName} from {ClientAddress}")]
    private static partial void Log(ILogger logger, long sequence, string action, AuditOutcome outcome, string subject, string method, string targetKind, string targetName, string clientAddress);
}
