using CniDashboard.Shared.Audit;

namespace CniDashboard.Server.Store;

/// <summary>Reads the audit log: pages for the UI, streams for verification and export.</summary>
public interface IAuditReader
{
    /// <summary>One page, newest first (keyset on the sequence number).</summary>
    Task<AuditPage> GetPageAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>One entry, or null.</summary>
    Task<AuditEntry?> GetAsync(long sequence, CancellationToken cancellationToken);

    /// <summary>The newest entry, or null for an empty log.</summary>
    Task<AuditEntry?> GetHeadAsync(CancellationToken cancellationToken);

    /// <summary>The actions and target kinds present.</summary>
    Task<AuditFacets> GetFacetsAsync(CancellationToken cancellationToken);

    /// <summary>Every entry after <paramref name="afterSequence"/>, oldest first, streamed from one consistent read.</summary>
    IAsyncEnumerable<AuditEntry> ReadChainAsync(long afterSequence, CancellationToken cancellationToken);

    /// <summary>The entries matching the query's filters (cursor and limit ignored), oldest first, streamed.</summary>
    IAsyncEnumerable<AuditEntry> ReadAsync(AuditQuery filter, CancellationToken cancellationToken);
}
