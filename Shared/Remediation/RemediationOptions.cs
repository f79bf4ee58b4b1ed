namespace CniDashboard.Shared.Remediation;

/// <summary>
/// How a plan fixes its nodes: pace, cordoning, verification. Part of what an approval binds
/// (<see cref="PlanHash"/>): changing any of them voids the approvals given.
/// </summary>
public sealed record RemediationOptions
{
    /// <summary>Shortest verification window allowed.</summary>
    public static readonly TimeSpan MinVerificationWindow = TimeSpan.FromSeconds(5);

    /// <summary>Longest verification window or ready timeout allowed.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromHours(1);

    /// <summary>Cordon each node while it is fixed (default on). Only nodes the plan cordoned are uncordoned afterwards.</summary>
    public bool CordonNodes { get; init; } = true;

    /// <summary>How long a node is watched after its fix before it counts as healthy (default 60 s).</summary>
    public TimeSpan VerificationWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for the restarted pod's replacement to be Ready before the step fails (default 5 min).</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>What counts as success during the verification window.</summary>
    public SuccessCriteria Success { get; init; } = new();

    /// <summary>Fix the node with the most sandbox errors first, as the canary (default on).</summary>
    public bool CanaryFirst { get; init; } = true;

    /// <summary>After the canary is fixed, pause until an operator continues (default off).</summary>
    public bool HoldAfterCanary { get; init; }

    /// <summary>
    /// Blast-radius stop: the most nodes of the plan that may be unhealthy at once, counting nodes in
    /// flight (default 1). Starting a node that would exceed it pauses the plan.
    /// </summary>
    public int MaxUnhealthyNodes { get; init; } = 1;

    /// <summary>Nodes worked on at once (default 1: one node at a time). At most <see cref="MaxUnhealthyNodes"/>.</summary>
    public int MaxNodesInFlight { get; init; } = 1;

    /// <summary>What is wrong with these options, one sentence each; empty when they can be used.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (VerificationWindow < MinVerificationWindow || VerificationWindow > MaxWait)
            problems.Add($"the verification window must be between {MinVerificationWindow.TotalSeconds:0} s and {MaxWait.TotalMinutes:0} min");
        if (ReadyTimeout < TimeSpan.FromSeconds(10) || ReadyTimeout > MaxWait)
            problems.Add($"the ready timeout must be between 10 s and {MaxWait.TotalMinutes:0} min");
        if (MaxUnhealthyNodes < 1) problems.Add("at most 0 unhealthy nodes would never let a node start: use 1 or more");
        if (MaxNodesInFlight < 1) problems.Add("at least one node must be worked on at a time");
        else if (MaxNodesInFlight > MaxUnhealthyNodes) problems.Add("nodes in flight count as unhealthy: nodes worked on at once cannot exceed the unhealthy limit");
        if (Success is null) problems.Add("success criteria are required");
        return problems;
    }
}

/// <summary>
/// What the verification window requires besides the targeted finding being gone and not coming back
/// (always required).
/// </summary>
public sealed record SuccessCriteria
{
    /// <summary>No new <c>FailedCreatePodSandBox</c> on the node during the window (default on).</summary>
    public bool NoNewSandboxFailures { get; init; } = true;

    /// <summary>No critical finding on the node that the prediction did not expect (default on).</summary>
    public bool NoUnexpectedCriticalFindings { get; init; } = true;

    /// <summary>A probe pod pinned to the node reaches Running within the window (default off).</summary>
    public bool ProbePodRunning { get; init; }
}
