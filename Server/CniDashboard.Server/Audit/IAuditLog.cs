using System.Data.Common;

namespace CniDashboard.Server.Audit;

/// <summary>
/// The append-only, hash-chained audit log. Fail closed: when an entry cannot be written the call
/// throws, and a change recorded in the same transaction does not happen.
/// </summary>
public interface IAuditLog
{
    /// <summary>Appends one entry in its own transaction; returns its sequence number.</summary>
    Task<long> AppendAsync(AuditRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Appends one entry inside the caller's transaction, so the change it records and the entry
    /// commit together or not at all; returns its sequence number.
    /// </summary>
    Task<long> AppendAsync(DbConnection connection, DbTransaction transaction, AuditRecord record, CancellationToken cancellationToken);
}

/// <summary>
/// The person behind the current HTTP request or Blazor circuit. The only way code learns who is
/// acting: never a parameter a caller could forge.
/// </summary>
public interface ICurrentUser
{
    /// <summary>The caller now; <see cref="AuditActor.System"/> outside any request or circuit.</summary>
    ValueTask<AuditCaller> GetAsync(CancellationToken cancellationToken);
}
