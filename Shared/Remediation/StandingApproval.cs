namespace CniDashboard.Shared.Remediation;

/// <summary>What an approver grants besides approving the plan: up to K more nodes, until time T.</summary>
/// <param name="MaxAdditionalNodes">How many nodes may join (K).</param>
/// <param name="Until">Until when (T).</param>
public sealed record StandingGrant(int MaxAdditionalNodes, DateTimeOffset Until);

/// <summary>
/// A bounded standing approval on a plan: nodes that newly show the same finding may join the running
/// plan with the same kind of edit — up to <see cref="MaxAdditionalNodes"/> of them, until
/// <see cref="Until"/>. Anything outside these bounds needs a new plan and a new approval.
/// </summary>
public sealed record StandingApproval
{
    /// <summary>The rule the plan fixes.</summary>
    public required string Rule { get; init; }

    /// <summary>The kinds of edit the approvers saw (file, replace or delete, plugins removed); a joining node's edits must each be one of them.</summary>
    public required IReadOnlyList<EditShape> Shapes { get; init; }

    /// <summary>How many nodes may join (the smallest K granted by the approvals that made the plan approved).</summary>
    public required int MaxAdditionalNodes { get; init; }

    /// <summary>Until when nodes may join (the earliest T granted).</summary>
    public required DateTimeOffset Until { get; init; }

    /// <summary>The approvers who granted it.</summary>
    public required IReadOnlyList<string> GrantedBy { get; init; }

    /// <summary>Who revoked it, when revoked.</summary>
    public string? RevokedBy { get; init; }

    /// <summary>When it was revoked.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>True while nodes may still join: not revoked, before <see cref="Until"/>, fewer than K joined.</summary>
    public bool IsOpen(int admitted, DateTimeOffset now) => RevokedAt is null && now < Until && admitted < MaxAdditionalNodes;
}

/// <summary>
/// The kind of an edit, as a standing approval compares them: which file, replace or delete, and which
/// plugin types a replace removes (a replace must remove plugin objects and change nothing else).
/// </summary>
/// <param name="File">The file name.</param>
/// <param name="Kind">Replace or delete.</param>
/// <param name="RemovedPlugins">Plugin types removed, sorted and comma-separated (empty for a delete).</param>
public sealed record EditShape(string File, Analysis.FileEditKind Kind, string RemovedPlugins)
{
    /// <summary>The shape of a planned edit.</summary>
    public static EditShape Of(PlannedEdit edit) =>
        new(edit.File, edit.Kind, string.Join(",", edit.RemovedPlugins.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)));

    /// <inheritdoc />
    public override string ToString() =>
        Kind == Analysis.FileEditKind.Delete ? $"delete {File}" : $"remove {RemovedPlugins} from {File}";
}

/// <summary>Whether a node may join a plan under its standing approval, and if not, every reason why not.</summary>
/// <param name="Admitted">True when it may join.</param>
/// <param name="Reasons">Why not (empty when admitted).</param>
public sealed record StandingDecision(bool Admitted, IReadOnlyList<string> Reasons)
{
    /// <summary>An admission.</summary>
    public static StandingDecision Yes { get; } = new(true, []);
}
