namespace CniDashboard.Shared.Remediation;

/// <summary>
/// A transition the plan refuses: wrong state, the two-person rule, an expired approval, kured's lock…
/// The <see cref="Code"/> is stable (API answers and tests key on it); the message is for people.
/// </summary>
public sealed class RemediationRefusal : InvalidOperationException
{
    /// <summary>Creates a refusal.</summary>
    public RemediationRefusal(string code, string message) : base(message) => Code = code;

    /// <summary>Creates a refusal without a code (<see cref="RefusalCodes.InvalidState"/>).</summary>
    public RemediationRefusal() : this(RefusalCodes.InvalidState, "the plan refused the change")
    {
    }

    /// <summary>Creates a refusal with a message (<see cref="RefusalCodes.InvalidState"/>).</summary>
    public RemediationRefusal(string message) : this(RefusalCodes.InvalidState, message)
    {
    }

    /// <summary>Creates a refusal with a message and a cause (<see cref="RefusalCodes.InvalidState"/>).</summary>
    public RemediationRefusal(string message, Exception innerException) : base(message, innerException) => Code = RefusalCodes.InvalidState;

    /// <summary>One of <see cref="RefusalCodes"/>.</summary>
    public string Code { get; }
}

/// <summary>The codes of <see cref="RemediationRefusal"/>.</summary>
public static class RefusalCodes
{
    /// <summary>The transition is not allowed in the plan's (or node's) state.</summary>
    public const string InvalidState = "invalid-state";

    /// <summary>The plan or its input is not well formed (empty, bad id, bad options, conflicting edits).</summary>
    public const string InvalidPlan = "invalid-plan";

    /// <summary>The predicted outcome adds a critical finding.</summary>
    public const string AddsCritical = "adds-critical";

    /// <summary>The author tried to approve or reject their own plan while the two-person rule is on.</summary>
    public const string TwoPersonRule = "two-person-rule";

    /// <summary>This approver has already approved the plan as it is.</summary>
    public const string AlreadyApproved = "already-approved";

    /// <summary>The approval does not acknowledge every risk note.</summary>
    public const string RisksNotAcknowledged = "risks-not-acknowledged";

    /// <summary>The approvals (or the submission) expired.</summary>
    public const string Expired = "expired";

    /// <summary>Not enough valid approvals for the plan as it is now.</summary>
    public const string NotApproved = "not-approved";

    /// <summary>kured holds its reboot lock.</summary>
    public const string KuredLockHeld = "kured-lock-held";

    /// <summary>Another plan is running.</summary>
    public const string AnotherPlanRunning = "another-plan-running";

    /// <summary>This dashboard does not hold the remediation Lease.</summary>
    public const string LeaseNotHeld = "lease-not-held";

    /// <summary>A comment is required (a rejection says why).</summary>
    public const string CommentRequired = "comment-required";

    /// <summary>A forced restore named a file hash that is no longer the file's: it changed again since the review.</summary>
    public const string FileChangedAgain = "file-changed-again";
}
