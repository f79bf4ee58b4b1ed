namespace CniDashboard.Shared.Remediation;

/// <summary>What a re-proposal did to a node that joined under the standing approval.</summary>
public enum ReproposalOutcome
{
    /// <summary>Its edits were replaced by ones proposed from the newer snapshot, inside the standing approval; the node went on.</summary>
    Replaced,

    /// <summary>The newer snapshot no longer shows the finding: the node left the plan (<see cref="NodeStatus.NotNeeded"/>).</summary>
    NotNeeded,
}

/// <summary>
/// One re-proposal of a node's edits (<see cref="RemediationPlan.AfterFileChanged"/>): the agent refused
/// the first apply because <see cref="File"/> changed since the node's stored snapshot, nothing had been
/// written on the node yet, and the node's newer snapshot was proposed again under the standing approval.
/// </summary>
/// <param name="At">When.</param>
/// <param name="Outcome">Edits replaced, or the node no longer needed.</param>
/// <param name="File">The file the agent found changed.</param>
/// <param name="FoundSha256">The file's sha256 as the agent found it (null: absent).</param>
/// <param name="PreviousEditsSha256">The hash of the edits replaced (<see cref="PlanHash.EditsSha256"/>).</param>
/// <param name="EditsSha256">The hash of the new edits; null when the node left the plan.</param>
/// <param name="PreviousEdits">The edits replaced, so their diff stays on record next to the new one.</param>
/// <param name="Detail">What happened, in a sentence.</param>
public sealed record NodeReproposal(
    DateTimeOffset At,
    ReproposalOutcome Outcome,
    string File,
    string? FoundSha256,
    string PreviousEditsSha256,
    string? EditsSha256,
    IReadOnlyList<PlannedEdit> PreviousEdits,
    string Detail);
