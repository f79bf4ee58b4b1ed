namespace CniDashboard.Shared.Remediation;

/// <summary>
/// One approver's sign-off, bound to the exact plan by <see cref="PlanSha256"/>: if the plan changes,
/// the hash differs and the approval no longer counts.
/// </summary>
/// <param name="Approver">The approver's subject.</param>
/// <param name="At">When.</param>
/// <param name="ExpiresAt">After this the approval no longer counts (and an approved plan that has not started expires).</param>
/// <param name="PlanSha256">The plan's hash (<see cref="PlanHash"/>) when approved.</param>
/// <param name="Comment">The approver's comment.</param>
/// <param name="AcknowledgedRisks">The risk note ids the approver acknowledged.</param>
/// <param name="Standing">The standing approval granted with it, if any.</param>
public sealed record Approval(
    string Approver,
    DateTimeOffset At,
    DateTimeOffset ExpiresAt,
    string PlanSha256,
    string? Comment,
    IReadOnlyList<string> AcknowledgedRisks,
    StandingGrant? Standing = null)
{
    /// <summary>True while it binds <paramref name="planSha256"/> and has not expired.</summary>
    public bool IsValidFor(string planSha256, DateTimeOffset now) => PlanSha256 == planSha256 && now < ExpiresAt;
}

/// <summary>A rejection.</summary>
/// <param name="Approver">Who rejected.</param>
/// <param name="At">When.</param>
/// <param name="Comment">Why.</param>
public sealed record Rejection(string Approver, DateTimeOffset At, string Comment);

/// <summary>
/// The approval rules in force when a plan was submitted (an Admin setting); kept with the plan, so
/// changing the setting later does not change what an open plan needs.
/// </summary>
public sealed record ApprovalPolicy
{
    /// <summary>The default lifetime of approvals and of a submission waiting for them.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(24);

    /// <summary>The author never approves (or rejects) their own plan (default on).</summary>
    public bool TwoPersonRule { get; init; } = true;

    /// <summary>Valid approvals from different approvers needed (default 1).</summary>
    public int RequiredApprovals { get; init; } = 1;

    /// <summary>How long an approval counts, and how long a submitted plan waits for approval (default 24 h).</summary>
    public TimeSpan Lifetime { get; init; } = DefaultLifetime;

    /// <summary>What is wrong with the policy; empty when it can be used.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (RequiredApprovals is < 1 or > 10) problems.Add("between 1 and 10 approvals must be required");
        if (Lifetime < TimeSpan.FromMinutes(5) || Lifetime > TimeSpan.FromDays(30)) problems.Add("approvals must last between 5 minutes and 30 days");
        return problems;
    }
}
