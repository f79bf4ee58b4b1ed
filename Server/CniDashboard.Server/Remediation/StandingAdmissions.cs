using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using CniDashboard.Server.Audit;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Server.Remediation;

/// <summary>
/// The standing approval at work: a node that newly shows a running plan's finding is proposed on its
/// own (from its latest snapshot, with the fleet's contexts), judged by
/// <see cref="RemediationPlan.DecideStanding"/>, and admitted — or the reasons it needs a new approval
/// are recorded once (audit action <c>remediation.plan.standing-refused</c>).
/// </summary>
public sealed class StandingAdmissions(PlanInputs inputs, PlanLedger ledger, IAuditLog log, TimeProvider time, ILogger<StandingAdmissions> logger)
{
    /// <summary>The audit action of a node the standing approval does not cover.</summary>
    public const string RefusedAction = "remediation.plan.standing-refused";

    private readonly ConcurrentDictionary<(string Plan, string Node), byte> _refused = new();

    /// <summary>Admits every node newly showing the plan's finding that the standing approval covers; returns the plan after the last admission, or null when none joined.</summary>
    public async Task<RemediationPlan?> ConsiderAsync(RemediationPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var now = time.GetUtcNow();
        if (plan.State is not (PlanState.Running or PlanState.Paused) || plan.Standing is not { } grant || !grant.IsOpen(plan.AdmittedByStanding, now)) return null;
        var inPlan = plan.Nodes.Select(n => n.Node).ToHashSet(StringComparer.Ordinal);
        var candidates = inputs.NodesShowing(plan.Rule, plan.Plugin).Where(n => !inPlan.Contains(n) && !_refused.ContainsKey((plan.Id, n))).ToArray();
        if (candidates.Length == 0) return null;

        RemediationPlan? admitted = null;
        foreach (var node in candidates)
        {
            var current = admitted ?? plan;
            var (request, missing) = inputs.Request(plan.Rule, plan.Plugin, [node], plan.Options, now);
            if (missing.Count > 0) continue;
            var proposal = RemediationPlanner.Default.Propose(request);
            var decision = proposal.Nodes.Count == 1
                ? current.DecideStanding(proposal, now)
                : new StandingDecision(false, [.. proposal.Excluded.Select(e => e.Reason)]);
            if (!decision.Admitted)
            {
                _refused[(plan.Id, node)] = 0;
                logger.LogInformation("Plan {Plan}: node {Node} shows the finding but needs a new approval: {Reasons}", plan.Id, node, string.Join("; ", decision.Reasons));
                await log.AppendAsync(AuditCaller.System.Record(RefusedAction, new AuditTarget(PlanAuditRecord.TargetKind, plan.Id), AuditOutcome.Ok, new JsonObject
                {
                    ["plan"] = plan.Id,
                    ["node"] = node,
                    ["reasons"] = new JsonArray([.. decision.Reasons.Select(r => (JsonNode)r)]),
                }), cancellationToken);
                continue;
            }
            try
            {
                admitted = (await ledger.CommitAsync(current, current.Admit(proposal, now), AuditCaller.System, cancellationToken)).Plan;
            }
            catch (PlanConflictException)
            {
                return admitted; // Someone changed the plan: the next pass looks again.
            }
            if (!admitted.Standing!.IsOpen(admitted.AdmittedByStanding, now)) break;
        }
        return admitted;
    }
}
