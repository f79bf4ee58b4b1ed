using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Auth;
using CniDashboard.Server.Settings;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Audit;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Security;
using CniDashboard.Shared.Settings;

namespace CniDashboard.Server.Remediation;

/// <summary>
/// Remediation for the UI and the API (scoped: it asks <see cref="ICurrentUser"/> who is acting).
/// Every command checks the caller's role inside the service (a denied attempt is an audit entry),
/// applies the plan's own transition, and commits the new version with its audit entry.
/// </summary>
public sealed class RemediationService(
    PlanRepository plans,
    PlanLedger ledger,
    PlanInputs inputs,
    RemediationEngine engine,
    RemediationCluster kube,
    RuntimeSettingsService settings,
    IAuditLog log,
    IAuditReader audit,
    ICurrentUser currentUser,
    TimeProvider time) : IRemediationService
{
    /// <summary>Commands without a version to check are retried this many times when the engine writes a version meanwhile.</summary>
    private const int Attempts = 5;

    /// <inheritdoc />
    public Task<PlanProposal> ProposeAsync(PlanDraftRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(Propose(request));
    }

    /// <inheritdoc />
    public async Task<RemediationPlan> CreateAsync(PlanDraftRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = await currentUser.GetAsync(cancellationToken);
        await caller.EnsureAllowedAsync(log, DashboardPolicies.Operate, "remediation.plan.create", new AuditTarget(PlanAuditRecord.TargetKind, request.Rule), cancellationToken);
        var proposal = Propose(request);
        if (proposal.Nodes.Count == 0)
            throw new RemediationRefusal(RefusalCodes.InvalidPlan, "no node can be planned: " + (proposal.Excluded.Count == 0 ? $"no node shows {request.Rule}" : string.Join("; ", proposal.Excluded.Select(e => $"{e.Node}: {e.Reason}"))));
        var plan = RemediationPlan.CreateDraft(NewId(), caller.Actor.Subject, time.GetUtcNow(), proposal, request.Options);
        return (await ledger.CreateAsync(plan, caller, cancellationToken)).Plan;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PlanSummary>> ListAsync(PlanListQuery query, CancellationToken cancellationToken) => plans.ListAsync(query ?? new(), cancellationToken);

    /// <inheritdoc />
    public async Task<RemediationPlan?> GetAsync(string planId, CancellationToken cancellationToken) =>
        RemediationKeys.IsPlanId(planId) ? (await plans.GetAsync(planId, cancellationToken))?.Plan : null;

    /// <inheritdoc />
    public async Task<IReadOnlyList<PlanLogEntry>> GetLogAsync(string planId, CancellationToken cancellationToken)
    {
        var entries = new List<PlanLogEntry>();
        if (!RemediationKeys.IsPlanId(planId)) return entries;
        await foreach (var e in audit.ReadAsync(new AuditQuery { TargetKind = PlanAuditRecord.TargetKind, Target = planId, Limit = int.MaxValue }, cancellationToken))
            entries.Add(LogEntry(e));
        return [.. entries.OrderBy(e => e.Sequence)];
    }

    /// <inheritdoc />
    public async Task<RemediationPlan> ReviseAsync(string planId, long expectedVersion, PlanRevision revision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(revision);
        var parts = (revision.Order is null ? 0 : 1) + (revision.RemoveNode is null ? 0 : 1) + (revision.Options is null ? 0 : 1);
        if (parts != 1) throw new RemediationRefusal(RefusalCodes.InvalidPlan, "a revision changes exactly one thing: the order, a node to remove, or the options");
        return await CommandAsync(planId, DashboardPolicies.Operate, "remediation.plan.revise", expectedVersion, (plan, actor, now) =>
            revision.Order is { } order ? plan.Reorder(actor, order, now)
            : revision.RemoveNode is { } node ? plan.RemoveNode(actor, node, now)
            : plan.ChangeOptions(actor, revision.Options!, now), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<RemediationPlan> SubmitAsync(string planId, long expectedVersion, string? comment, CancellationToken cancellationToken)
    {
        var policy = new ApprovalPolicy
        {
            TwoPersonRule = await settings.GetAsync(DashboardSettings.TwoPersonRule, cancellationToken),
            RequiredApprovals = await settings.GetAsync(DashboardSettings.RequiredApprovals, cancellationToken),
            Lifetime = await settings.GetAsync(DashboardSettings.ApprovalLifetime, cancellationToken),
        };
        return await CommandAsync(planId, DashboardPolicies.Operate, "remediation.plan.submit", expectedVersion, (plan, actor, now) => plan.Submit(actor, comment, policy, now), cancellationToken);
    }

    /// <inheritdoc />
    public Task<RemediationPlan> ApproveAsync(string planId, string planSha256, string? comment, IReadOnlyCollection<string> acknowledgedRisks, StandingGrant? standing, CancellationToken cancellationToken) =>
        CommandAsync(planId, DashboardPolicies.Approve, "remediation.plan.approve", null, (plan, actor, now) =>
        {
            // The approval binds what the approver reviewed: a plan changed since is another plan.
            if (plan.Sha256() != planSha256) throw new PlanConflictException($"plan {plan.Id} changed since you reviewed it (its hash is no longer {planSha256}): review it again");
            return plan.Approve(actor, comment, acknowledgedRisks ?? [], now, standing);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<RemediationPlan> RejectAsync(string planId, string comment, CancellationToken cancellationToken) =>
        CommandAsync(planId, DashboardPolicies.Approve, "remediation.plan.reject", null, (plan, actor, now) => plan.Reject(actor, comment, now), cancellationToken);

    /// <inheritdoc />
    public async Task<RemediationPlan> StartAsync(string planId, CancellationToken cancellationToken)
    {
        var conditions = await ConditionsAsync(planId, cancellationToken);
        return await CommandAsync(planId, DashboardPolicies.Operate, "remediation.plan.start", null, (plan, actor, now) => plan.Start(actor, now, conditions), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<RemediationPlan> ControlAsync(string planId, PlanControl control, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(control);
        var conditions = control.Kind is PlanControlKind.Resume or PlanControlKind.RestoreAnyway ? await ConditionsAsync(planId, cancellationToken) : null;
        string Node() => control.Node ?? throw new RemediationRefusal(RefusalCodes.InvalidPlan, $"{control.Kind} needs a node");
        return await CommandAsync(planId, DashboardPolicies.Operate, "remediation.plan." + JsonNamingPolicy.KebabCaseLower.ConvertName(control.Kind.ToString()), null, (plan, actor, now) => control.Kind switch
        {
            PlanControlKind.Pause => plan.Pause(actor, now),
            PlanControlKind.Resume => plan.Resume(actor, now, conditions!),
            PlanControlKind.SkipNode => plan.SkipNode(actor, Node(), now),
            PlanControlKind.RollBackNode => plan.RollBackNode(actor, Node(), now),
            PlanControlKind.RollBack => plan.RollBack(actor, now),
            PlanControlKind.RestoreAnyway => plan.RestoreAnyway(actor, Node(), control.ExpectedSha256, control.Reason, now, conditions!),
            PlanControlKind.Abort => plan.Abort(actor, control.Reason, now),
            PlanControlKind.RevokeStanding => plan.RevokeStanding(actor, now),
            _ => throw new RemediationRefusal(RefusalCodes.InvalidPlan, $"unknown control {control.Kind}"),
        }, cancellationToken);
    }

    private PlanProposal Propose(PlanDraftRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Rule)) throw new RemediationRefusal(RefusalCodes.InvalidPlan, "a plan fixes a rule: name one");
        if (request.Options?.Problems() is { Count: > 0 } problems) throw new RemediationRefusal(RefusalCodes.InvalidPlan, "invalid options: " + string.Join("; ", problems));
        var nodes = request.Nodes is { Count: > 0 } asked ? asked : inputs.NodesShowing(request.Rule, request.Plugin);
        var (planRequest, missing) = inputs.Request(request.Rule, request.Plugin, nodes, request.Options ?? new(), time.GetUtcNow());
        var proposal = RemediationPlanner.Default.Propose(planRequest);
        return missing.Count == 0 ? proposal : proposal with { Excluded = [.. proposal.Excluded, .. missing] };
    }

    /// <summary>What starting or resuming needs, observed now: the Lease (taken for this dashboard when free), kured's lock, another plan underway.</summary>
    private async Task<StartConditions> ConditionsAsync(string planId, CancellationToken cancellationToken)
    {
        var lease = await engine.TryHoldLeaseAsync(cancellationToken);
        var kured = await kube.KuredLockHolderAsync(cancellationToken);
        var other = (await plans.IdsInAsync(PlanRepository.UnderwayStates, cancellationToken)).FirstOrDefault(id => id != planId);
        return new StartConditions(lease, kured, other);
    }

    /// <summary>
    /// Checks the caller's role, applies <paramref name="transition"/> to the stored plan and commits it
    /// with its audit entry. Without <paramref name="expectedVersion"/>, a version the engine wrote
    /// meanwhile is read again and the command re-applied (the transition re-checks everything).
    /// A refused command is recorded too: a two-person-rule refusal as denied, any other as failed.
    /// </summary>
    private async Task<RemediationPlan> CommandAsync(string planId, string policy, string action, long? expectedVersion, Func<RemediationPlan, string, DateTimeOffset, RemediationPlan> transition, CancellationToken cancellationToken)
    {
        var caller = await currentUser.GetAsync(cancellationToken);
        var target = new AuditTarget(PlanAuditRecord.TargetKind, planId);
        await caller.EnsureAllowedAsync(log, policy, action, target, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var plan = (RemediationKeys.IsPlanId(planId) ? await plans.GetAsync(planId, cancellationToken) : null)?.Plan
                ?? throw new RemediationRefusal(RefusalCodes.InvalidPlan, $"there is no plan {planId}");
            if (expectedVersion is { } expected && plan.Version != expected)
                throw new PlanConflictException($"plan {planId} is at version {plan.Version}, not {expected}: reload it and try again");
            RemediationPlan next;
            try
            {
                next = transition(plan, caller.Actor.Subject, time.GetUtcNow());
            }
            catch (RemediationRefusal refusal)
            {
                var denied = refusal.Code == RefusalCodes.TwoPersonRule;
                await log.AppendAsync(caller.Record(denied ? AuditActions.Denied : action, target, denied ? AuditOutcome.Denied : AuditOutcome.Failed,
                    new JsonObject { ["attempted"] = action, ["code"] = refusal.Code, ["reason"] = refusal.Message, ["version"] = plan.Version }), cancellationToken);
                throw;
            }
            try
            {
                return (await ledger.CommitAsync(plan, next, caller, cancellationToken)).Plan;
            }
            catch (PlanConflictException) when (expectedVersion is null && attempt < Attempts)
            {
                // The engine wrote a version meanwhile: apply the command to that one.
            }
        }
    }

    private static PlanLogEntry LogEntry(AuditEntry e)
    {
        string? node = null, detail = null;
        if (e.Details is { } json && JsonNode.Parse(json) is JsonObject details)
        {
            node = details["node"]?.GetValue<string>();
            detail = details["detail"]?.GetValue<string>() ?? details["reason"]?.GetValue<string>();
            if (details["files"] is JsonArray files)
            {
                var changes = files.OfType<JsonObject>().Select(f => $"{f["file"]}: {Short(f["sha256Before"])} → {Short(f["sha256After"])}");
                detail = string.Join("; ", new[] { detail }.Concat(changes).OfType<string>());
            }
        }
        var summary = e.Action + (node is null ? "" : $" {node}") + (detail is null ? "" : $": {detail}");
        return new PlanLogEntry(e.Sequence, e.At, e.ActorName, e.Action, node, summary, e.Outcome);
    }

    private static string Short(JsonNode? sha) => sha?.GetValue<string>() is { Length: >= 12 } s ? s[..12] : "absent";

    private static string NewId() => "rp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
}
