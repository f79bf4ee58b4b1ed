using System.Text.Json.Nodes;
using CniDashboard.Server.Auth;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Audit;
using CniDashboard.Shared.Security;

namespace CniDashboard.Server.Audit;

/// <summary>The audit log for the UI and the REST API: pages from the store, verification recorded as it runs.</summary>
public sealed class AuditQueries(IAuditReader reader, AuditVerifier verifier, IAuditLog log, ICurrentUser currentUser) : IAuditQueries
{
    /// <summary>Most entries one page returns.</summary>
    public const int MaxPageSize = 500;

    /// <inheritdoc />
    public Task<AuditPage> GetPageAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return reader.GetPageAsync(query with { Limit = Math.Clamp(query.Limit, 1, MaxPageSize) }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<AuditEntry?> GetEntryAsync(long sequence, CancellationToken cancellationToken) => reader.GetAsync(sequence, cancellationToken);

    /// <inheritdoc />
    public Task<AuditFacets> GetFacetsAsync(CancellationToken cancellationToken) => reader.GetFacetsAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        var caller = await currentUser.GetAsync(cancellationToken);
        await caller.EnsureAllowedAsync(log, DashboardPolicies.Administer, AuditActions.Verified, new AuditTarget("audit-log", "chain"), cancellationToken);
        var result = await verifier.VerifyAsync(cancellationToken);
        var details = new JsonObject
        {
            ["status"] = result.Status.ToString(),
            ["entriesChecked"] = result.EntriesChecked,
            ["headSequence"] = result.HeadSequence,
            ["checkpointSequence"] = result.Checkpoint?.Sequence,
        };
        if (result.FirstBadSequence is { } bad) details["firstBadSequence"] = bad;
        if (result.Problem is not null) details["problem"] = result.Problem;
        if (result.Warning is not null) details["warning"] = result.Warning;
        await log.AppendAsync(caller.Record(AuditActions.Verified, new AuditTarget("audit-log", "chain"),
            result.Status == AuditVerificationStatus.Tampered ? AuditOutcome.Failed : AuditOutcome.Ok, details), cancellationToken);
        return result;
    }
}
