using System.Collections.Concurrent;
using System.Data.Common;
using CniDashboard.Server.Audit;

namespace CniDashboard.Server.Tests.Support;

/// <summary>An audit log that keeps every entry in memory for assertions; can be made to fail (the store read-only, say).</summary>
public sealed class CapturingAuditLog : IAuditLog
{
    private readonly ConcurrentQueue<AuditRecord> _records = new();
    private long _sequence;

    /// <summary>Every entry appended, in order.</summary>
    public IReadOnlyList<AuditRecord> Records => [.. _records];

    /// <summary>When set, every append throws it (the log cannot be written).</summary>
    public Exception? FailWith { get; set; }

    public IReadOnlyList<AuditRecord> With(string action) => [.. _records.Where(r => r.Action == action)];

    /// <summary>How many entries there are now: pass to <see cref="Since"/> to see only what came after.</summary>
    public int Mark() => _records.Count;

    /// <summary>Entries of <paramref name="action"/> appended after <paramref name="mark"/>.</summary>
    public IReadOnlyList<AuditRecord> Since(int mark, string action) => [.. _records.Skip(mark).Where(r => r.Action == action)];

    public Task<long> AppendAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        if (FailWith is { } failure) throw failure;
        _records.Enqueue(record);
        return Task.FromResult(Interlocked.Increment(ref _sequence));
    }

    public Task<long> AppendAsync(DbConnection connection, DbTransaction transaction, AuditRecord record, CancellationToken cancellationToken) =>
        AppendAsync(record, cancellationToken);
}
