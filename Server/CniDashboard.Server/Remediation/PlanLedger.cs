using CniDashboard.Server.Audit;
using CniDashboard.Server.Feed;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Server.Remediation;

/// <summary>A committed plan version and the audit entry that recorded it (the id side effects carry as <c>Audit-ID</c>).</summary>
/// <param name="Plan">The version now stored.</param>
/// <param name="AuditSequence">Its audit entry.</param>
public sealed record CommittedPlan(RemediationPlan Plan, long AuditSequence);

/// <summary>
/// Commits plan versions: the new version and its audit entry in one transaction (or neither), then
/// <see cref="ClusterChangeKind.PlanChanged"/> on the change feed. The service and the engine write
/// plans only through here.
/// </summary>
public sealed class PlanLedger(PlanRepository plans, IAuditLog log, IChangePublisher feed)
{
    /// <summary>Raised after every commit (the engine wakes on it).</summary>
    public event Action<RemediationPlan>? Committed;

    /// <summary>Stores a new plan (Draft) with its <c>remediation.plan.created</c> entry.</summary>
    public async Task<CommittedPlan> CreateAsync(RemediationPlan plan, AuditCaller caller, CancellationToken cancellationToken)
    {
        var record = PlanAuditRecord.For(plan, caller);
        var sequence = await plans.InsertAsync(plan, (c, t) => log.AppendAsync(c, t, record, cancellationToken), cancellationToken);
        Announce(plan);
        return new CommittedPlan(plan, sequence);
    }

    /// <summary>
    /// Replaces <paramref name="previous"/> by <paramref name="next"/> (its transition's result) with the
    /// audit entry of <c>next.LastEvent</c>; <see cref="PlanConflictException"/> when another version
    /// was stored since <paramref name="previous"/> was read.
    /// </summary>
    public async Task<CommittedPlan> CommitAsync(RemediationPlan previous, RemediationPlan next, AuditCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        if (next.Version != previous.Version + 1) throw new ArgumentException($"version {next.Version} does not follow {previous.Version}", nameof(next));
        var record = PlanAuditRecord.For(next, caller);
        var sequence = await plans.UpdateAsync(previous, next, (c, t) => log.AppendAsync(c, t, record, cancellationToken), cancellationToken);
        Announce(next);
        return new CommittedPlan(next, sequence);
    }

    private void Announce(RemediationPlan plan)
    {
        var e = plan.LastEvent;
        feed.Publish([new ClusterChange
        {
            Kind = ClusterChangeKind.PlanChanged,
            At = e?.At ?? plan.CreatedAt,
            Plan = plan.Id,
            Node = e?.Node,
            Rule = plan.Rule,
            Summary = e is null ? $"plan {plan.Id} {plan.State}" : $"plan {plan.Id}: {PlanAuditRecord.ActionOf(e.Action)}{(e.Node is null ? "" : " on " + e.Node)}",
        }]);
        Committed?.Invoke(plan);
    }
}
