using System.Text.Json.Serialization;

namespace CniDashboard.Shared.Remediation;

/// <summary>
/// One node of a plan: what it will change (edits, predicted outcome — fixed once reviewed) and how
/// far it got (status, step, what was done — changed only by the plan's transitions). Everything an
/// engine needs after a crash is in here: a started step (<see cref="StepStartedAt"/>) with its intent
/// (<see cref="WasCordoned"/>, <see cref="PodToRestart"/>, <see cref="ReadyDeadline"/>,
/// <see cref="WindowStart"/>, <see cref="ProbePod"/>) is finished first, and every side effect's key
/// is derived from the plan (<see cref="RemediationKeys"/>).
/// </summary>
public sealed record NodeRemediation
{
    /// <summary>The node's name.</summary>
    public required string Node { get; init; }

    /// <summary>The edits, in the order they are applied (restored in reverse). Several files are possible.</summary>
    public required IReadOnlyList<PlannedEdit> Edits { get; init; }

    /// <summary>The findings the edits remove; verification checks they are gone and stay gone.</summary>
    public IReadOnlyList<FindingTarget> Targets { get; init; } = [];

    /// <summary>What the analyzer says the node will look like after the edits.</summary>
    public PredictedOutcome Prediction { get; init; } = new();

    /// <summary>Sandbox failures on the node when planned (the canary is the node with the most).</summary>
    public int SandboxErrors { get; init; }

    /// <summary>How the node came into the plan.</summary>
    [JsonInclude]
    public NodeAdmission Admission { get; internal init; } = new(false, default);

    /// <summary>Where the node is.</summary>
    [JsonInclude]
    public NodeStatus Status { get; internal init; }

    /// <summary>The current (or next) step, while the node is in flight.</summary>
    [JsonInclude]
    public NodeStep Step { get; internal init; }

    /// <summary>When the current step's intent was persisted; null while the step has not begun. A started step is always finished first.</summary>
    [JsonInclude]
    public DateTimeOffset? StepStartedAt { get; internal init; }

    /// <summary>Attempts of the current step so far (a retry after a failure, or a re-begun prepare, counts one more).</summary>
    [JsonInclude]
    public int Attempt { get; internal init; }

    /// <summary>Whether the node was cordoned before the plan touched it, as read just before the prepare step (null until then).</summary>
    [JsonInclude]
    public bool? WasCordoned { get; internal init; }

    /// <summary>True when this plan cordoned the node, so it must uncordon it (a node cordoned before stays cordoned).</summary>
    [JsonInclude]
    public bool CordonedByPlan { get; internal init; }

    /// <summary>True while the node carries the plan's annotation (and the cordon, when <see cref="CordonedByPlan"/>): it must be released.</summary>
    [JsonInclude]
    public bool Annotated { get; internal init; }

    /// <summary>Edits the agent confirmed, in order.</summary>
    [JsonInclude]
    public IReadOnlyList<AppliedChange> Applied { get; internal init; } = [];

    /// <summary>Restores the agent confirmed during a rollback, in order (the reverse of <see cref="Applied"/>).</summary>
    [JsonInclude]
    public IReadOnlyList<AppliedChange> Restored { get; internal init; } = [];

    /// <summary>
    /// Restores an operator forced over a file that changed since the plan wrote it: the restore then
    /// expects the file's hash as the operator reviewed it, not the hash the plan wrote.
    /// </summary>
    [JsonInclude]
    public IReadOnlyList<RestoreOverride> RestoreOverrides { get; internal init; } = [];

    /// <summary>
    /// The node's edits proposed again from a newer snapshot because its file changed before the plan
    /// wrote anything on it (only a node that joined under the standing approval), oldest first: the
    /// edits each replaced, or that the node left the plan as no longer needed.
    /// </summary>
    [JsonInclude]
    public IReadOnlyList<NodeReproposal> Reproposals { get; internal init; } = [];

    /// <summary>The pod the restart step deletes (null: none ran on the node); its replacement has another uid.</summary>
    [JsonInclude]
    public PodRef? PodToRestart { get; internal init; }

    /// <summary>The replacement pod, once Ready.</summary>
    [JsonInclude]
    public PodRef? ReplacementPod { get; internal init; }

    /// <summary>Until when the replacement may take to be Ready.</summary>
    [JsonInclude]
    public DateTimeOffset? ReadyDeadline { get; internal init; }

    /// <summary>When the verification window opened (sandbox failures after it count).</summary>
    [JsonInclude]
    public DateTimeOffset? WindowStart { get; internal init; }

    /// <summary>When the verification window closes.</summary>
    [JsonInclude]
    public DateTimeOffset? WindowEnd { get; internal init; }

    /// <summary>The probe pod of the current verification attempt, when the criteria ask for one.</summary>
    [JsonInclude]
    public string? ProbePod { get; internal init; }

    /// <summary>The last failure (kept after a retry, for the record).</summary>
    [JsonInclude]
    public StepFailure? Failure { get; internal init; }

    /// <summary>While <see cref="NodeStatus.Failed"/>: the status to retry in (fixing, rolling back, releasing).</summary>
    [JsonInclude]
    public NodeStatus? FailedWhile { get; internal init; }

    /// <summary>While <see cref="NodeStatus.Releasing"/>: the final status once released (skipped, stopped).</summary>
    [JsonInclude]
    public NodeStatus? ReleaseTo { get; internal init; }

    /// <summary>When the plan started the node.</summary>
    [JsonInclude]
    public DateTimeOffset? StartedAt { get; internal init; }

    /// <summary>When the node reached a final status.</summary>
    [JsonInclude]
    public DateTimeOffset? FinishedAt { get; internal init; }

    /// <summary>True when the current step's intent is persisted and its side effect may have happened.</summary>
    [JsonIgnore]
    public bool StepInProgress => StepStartedAt is not null;

    /// <summary>True when the plan changed files on the node that a rollback has not put back yet.</summary>
    [JsonIgnore]
    public bool HasChangesToUndo => Applied.Count > Restored.Count;
}
