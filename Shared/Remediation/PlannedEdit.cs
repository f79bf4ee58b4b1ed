using System.Security.Cryptography;
using System.Text;
using CniDashboard.Shared.Analysis;

namespace CniDashboard.Shared.Remediation;

/// <summary>
/// One file change a plan makes on one node: the analyzer's <see cref="FileEdit"/> at that node's
/// snapshot, with both hashes, so an approval can bind the exact bytes before and after.
/// </summary>
public sealed record PlannedEdit
{
    /// <summary>The file in the node's CNI folder.</summary>
    public required string File { get; init; }

    /// <summary>Replace the content or delete the file.</summary>
    public required FileEditKind Kind { get; init; }

    /// <summary>SHA-256 the file must still have when the edit is applied (the agent answers 409 otherwise).</summary>
    public required string ExpectedSha256 { get; init; }

    /// <summary>The file's content at review (for the diff; null when the snapshot had none).</summary>
    public string? OldContent { get; init; }

    /// <summary>The new content, for <see cref="FileEditKind.Replace"/>.</summary>
    public string? NewContent { get; init; }

    /// <summary>SHA-256 of <see cref="NewContent"/> (UTF-8), for <see cref="FileEditKind.Replace"/>; null for a delete.</summary>
    public string? NewSha256 { get; init; }

    /// <summary>What the edit does, in a line (from the finding).</summary>
    public required string Summary { get; init; }

    /// <summary>Plugin types the edit removes from the file's chain (empty for a delete).</summary>
    public IReadOnlyList<string> RemovedPlugins { get; init; } = [];

    /// <summary>Builds a planned edit from an analyzer edit and the file as the snapshot had it; null when the edit lacks an expected hash.</summary>
    public static PlannedEdit? From(FileEdit edit, string? oldContent, IReadOnlyList<string> removedPlugins)
    {
        if (edit.ExpectedSha256 is not { Length: 64 } expected) return null;
        if (edit.Kind == FileEditKind.Replace && edit.NewContent is null) return null;
        return new PlannedEdit
        {
            File = edit.File,
            Kind = edit.Kind,
            ExpectedSha256 = expected,
            OldContent = oldContent,
            NewContent = edit.Kind == FileEditKind.Replace ? edit.NewContent : null,
            NewSha256 = edit.Kind == FileEditKind.Replace ? Sha256Of(edit.NewContent!) : null,
            Summary = edit.Summary,
            RemovedPlugins = removedPlugins,
        };
    }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 bytes of <paramref name="text"/>, as the agent hashes files.</summary>
    public static string Sha256Of(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>
/// The DaemonSet whose pod on each node is restarted after the edits (e.g. linkerd-cni), derived
/// from the finding's plugin, never typed.
/// </summary>
/// <param name="Namespace">The DaemonSet's namespace.</param>
/// <param name="DaemonSet">The DaemonSet's name.</param>
public sealed record RemediationComponent(string Namespace, string DaemonSet)
{
    /// <inheritdoc />
    public override string ToString() => $"{Namespace}/{DaemonSet}";
}

/// <summary>A finding a plan removes from a node: gone means no finding of this rule on this plugin (or, without a plugin, this file).</summary>
/// <param name="Rule">The rule id.</param>
/// <param name="File">The file it was reported on.</param>
/// <param name="Plugin">The plugin type it was about, when it was about one.</param>
/// <param name="Severity">How bad it was.</param>
/// <param name="Message">What it said.</param>
public sealed record FindingTarget(string Rule, string? File, string? Plugin, Severity Severity, string Message)
{
    /// <summary>True when <paramref name="finding"/> is this target, or it again (a rewritten entry at another position counts).</summary>
    public bool Matches(Finding finding) =>
        finding.Rule == Rule && (Plugin is not null ? finding.Plugin == Plugin : finding.File == File);
}

/// <summary>A pod the engine acted on or waited for.</summary>
/// <param name="Namespace">Namespace.</param>
/// <param name="Name">Name.</param>
/// <param name="Uid">UID: a replacement has a new one.</param>
public sealed record PodRef(string Namespace, string Name, string Uid);

/// <summary>An apply or restore the agent confirmed.</summary>
/// <param name="ChangeId">The idempotency key it was sent with (<see cref="RemediationKeys"/>).</param>
/// <param name="File">The file.</param>
/// <param name="PreviousSha256">SHA-256 before (null: the file did not exist).</param>
/// <param name="NewSha256">SHA-256 after (null: the file is deleted).</param>
/// <param name="BackupId">The agent's backup of the previous content, what a rollback restores.</param>
/// <param name="At">When the engine recorded it.</param>
public sealed record AppliedChange(string ChangeId, string File, string? PreviousSha256, string? NewSha256, string? BackupId, DateTimeOffset At);

/// <summary>
/// An operator's "restore anyway": the restore of <paramref name="ChangeId"/> overwrites <paramref name="File"/>
/// although it changed since the plan wrote it, but only while it still holds <paramref name="ExpectedSha256"/>
/// (what the operator reviewed against the backup).
/// </summary>
/// <param name="ChangeId">The restore's change id.</param>
/// <param name="File">The file.</param>
/// <param name="ExpectedSha256">The file's sha256 as the operator reviewed it (null: absent).</param>
/// <param name="PlanWroteSha256">What the plan had written (the hash the restore expected before).</param>
/// <param name="By">The operator.</param>
/// <param name="At">When.</param>
/// <param name="Reason">Why, as the operator typed it.</param>
public sealed record RestoreOverride(string ChangeId, string File, string? ExpectedSha256, string? PlanWroteSha256, string By, DateTimeOffset At, string Reason);

/// <summary>Why a step failed.</summary>
public enum StepFailureKind
{
    /// <summary>The agent answered 409: the file changed since review (it holds <see cref="StepFailure.CurrentSha256"/> now).</summary>
    FileChanged,

    /// <summary>The agent could not be reached or answered 5xx.</summary>
    AgentUnavailable,

    /// <summary>The agent refused the change (invalid content, missing backup, …).</summary>
    AgentRefused,

    /// <summary>The Kubernetes API refused or failed (cordon, pod delete, events).</summary>
    KubernetesApi,

    /// <summary>The replacement pod was not Ready before the deadline.</summary>
    PodNotReady,

    /// <summary>The verification window failed: the finding came back, sandbox errors, probe pod, unexpected critical finding.</summary>
    VerificationFailed,

    /// <summary>Anything else.</summary>
    Other,
}

/// <summary>A failed step, as shown to the operator and recorded in the audit log.</summary>
/// <param name="Kind">What kind of failure.</param>
/// <param name="Step">The step that failed.</param>
/// <param name="Message">What happened, in a sentence.</param>
/// <param name="At">When.</param>
/// <param name="File">The file concerned, when one is.</param>
/// <param name="CurrentSha256">On <see cref="StepFailureKind.FileChanged"/>: the file's hash now, to fetch the new diff.</param>
public sealed record StepFailure(StepFailureKind Kind, NodeStep Step, string Message, DateTimeOffset At, string? File = null, string? CurrentSha256 = null);

/// <summary>How a node came into a plan.</summary>
/// <param name="ByStandingApproval">False: it was in the plan the approvers reviewed. True: it joined later under the standing approval.</param>
/// <param name="At">When it joined.</param>
/// <param name="EditsSha256">Hash of its edits when it joined under a standing approval (its own recorded diff).</param>
public sealed record NodeAdmission(bool ByStandingApproval, DateTimeOffset At, string? EditsSha256 = null);
