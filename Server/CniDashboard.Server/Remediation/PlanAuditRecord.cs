using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CniDashboard.Server.Audit;
using CniDashboard.Shared.Diff;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Server.Remediation;

/// <summary>
/// A plan's <see cref="RemediationPlan.LastEvent"/> as an audit entry: action <c>remediation.plan.*</c>,
/// <c>remediation.node.*</c> or <c>remediation.step.*</c>, target <c>("plan", id)</c>, and details with
/// the version, state, node, step and — for applies and restores — each file's sha256 before and after,
/// its change id, backup and the diff.
/// </summary>
public static class PlanAuditRecord
{
    /// <summary>The audit target kind of a plan.</summary>
    public const string TargetKind = "plan";

    /// <summary>The audit action of a plan event, e.g. <c>plan.step-started</c> → <c>remediation.step.started</c>.</summary>
    public static string ActionOf(string planAction)
    {
        ArgumentNullException.ThrowIfNull(planAction);
        var verb = planAction.StartsWith("plan.", StringComparison.Ordinal) ? planAction["plan.".Length..] : planAction;
        if (verb.StartsWith("step-", StringComparison.Ordinal)) return "remediation.step." + verb["step-".Length..];
        if (verb.StartsWith("node-", StringComparison.Ordinal)) return "remediation.node." + verb["node-".Length..];
        return "remediation.plan." + verb;
    }

    /// <summary>The audit entry of <paramref name="plan"/>'s last transition, made by <paramref name="caller"/>.</summary>
    public static AuditRecord For(RemediationPlan plan, AuditCaller caller)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(caller);
        var e = plan.LastEvent ?? throw new ArgumentException($"plan {plan.Id} version {plan.Version} has no event", nameof(plan));
        var details = new JsonObject
        {
            ["plan"] = plan.Id,
            ["version"] = plan.Version,
            ["state"] = PlanRepository.StateName(e.State),
            ["rule"] = plan.Rule,
        };
        if (e.Node is not null) details["node"] = e.Node;
        if (e.Step is { } step) details["step"] = step.ToString();
        if (e.Detail is not null) details["detail"] = e.Detail;
        if (e.Action is PlanActions.Approved or PlanActions.ApprovalRecorded or PlanActions.Submitted) details["planSha256"] = plan.Sha256();
        if (e.Files is { Count: > 0 } files)
        {
            var node = e.Node is null ? null : plan.Nodes.FirstOrDefault(n => n.Node == e.Node);
            details["files"] = new JsonArray([.. files.Select(f => (JsonNode)FileDetails(f, node))]);
        }
        if (e.Action is PlanActions.StandingReproposed or PlanActions.NodeNotNeeded && plan.Nodes.FirstOrDefault(n => n.Node == e.Node) is { Reproposals: [.., var last] } reproposed)
            details["reproposal"] = ReproposalDetails(last, reproposed);
        var outcome = e.Action == PlanActions.StepFailed ? AuditOutcome.Failed : AuditOutcome.Ok;
        return caller.Record(ActionOf(e.Action), new AuditTarget(TargetKind, plan.Id), outcome, details);
    }

    /// <summary>A re-proposal's record: the file found changed, both edit hashes, and each edit before and after (with the new edits' diffs).</summary>
    private static JsonObject ReproposalDetails(NodeReproposal r, NodeRemediation node) => new()
    {
        ["outcome"] = r.Outcome == ReproposalOutcome.Replaced ? "replaced" : "notNeeded",
        ["file"] = r.File,
        ["foundSha256"] = r.FoundSha256,
        ["previousEditsSha256"] = r.PreviousEditsSha256,
        ["editsSha256"] = r.EditsSha256,
        ["previousEdits"] = new JsonArray([.. r.PreviousEdits.Select(x => (JsonNode)EditDetails(x, withDiff: false))]),
        ["edits"] = r.Outcome == ReproposalOutcome.Replaced ? new JsonArray([.. node.Edits.Select(x => (JsonNode)EditDetails(x, withDiff: true))]) : null,
    };

    private static JsonObject EditDetails(PlannedEdit edit, bool withDiff)
    {
        var o = new JsonObject { ["file"] = edit.File, ["expectedSha256"] = edit.ExpectedSha256, ["newSha256"] = edit.NewSha256 };
        if (withDiff) o["diff"] = Diff(edit.File, edit.OldContent, edit.NewContent);
        return o;
    }

    private static JsonObject FileDetails(AppliedChange change, NodeRemediation? node)
    {
        var o = new JsonObject
        {
            ["file"] = change.File,
            ["changeId"] = change.ChangeId,
            ["sha256Before"] = change.PreviousSha256,
            ["sha256After"] = change.NewSha256,
            ["backupId"] = change.BackupId,
        };
        // The reviewed edit holds both texts: its diff, forwards for an apply, backwards for a restore.
        var edit = node?.Edits.FirstOrDefault(x => x.File == change.File);
        if (edit is not null)
        {
            var restoring = change.ChangeId.Contains("." + RemediationKeys.RestoreOperation + ".", StringComparison.Ordinal);
            o["diff"] = restoring ? Diff(change.File, edit.NewContent, edit.OldContent) : Diff(change.File, edit.OldContent, edit.NewContent);
        }
        return o;
    }

    /// <summary>A compact unified-style diff: changed lines only, each with its line number.</summary>
    public static string Diff(string file, string? before, string? after)
    {
        var diff = TextDiff.SideBySide(before, after);
        var text = new StringBuilder();
        text.Append("--- ").Append(file).Append(before is null ? " (absent)" : "").Append('\n');
        text.Append("+++ ").Append(file).Append(after is null ? " (absent)" : "").Append('\n');
        foreach (var row in diff.Rows)
        {
            if (row.Left is { Kind: not DiffLineKind.Unchanged } left)
                text.Append('-').Append(left.Number.ToString(CultureInfo.InvariantCulture)).Append(": ").Append(left.Text).Append('\n');
            if (row.Right is { Kind: not DiffLineKind.Unchanged } right)
                text.Append('+').Append(right.Number.ToString(CultureInfo.InvariantCulture)).Append(": ").Append(right.Text).Append('\n');
        }
        return text.ToString();
    }
}
