namespace CniDashboard.Simulator.Kubelet;

/// <summary>
/// The simulated kubelet's pace, in simulated time: every interval is divided by the time scale
/// before it is waited for, so a test can run minutes of node life in seconds.
/// </summary>
internal sealed record KubeletSettings
{
    /// <summary>How often the kubelet looks at every node (its sync loop).</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the scheduler places a new workload pod on each node (±20 %).</summary>
    public TimeSpan WorkloadPodInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most workload pods the scheduler places per simulated second across the cluster: a large
    /// cluster places each node's pods less often (5,000 nodes at 20/s: one per node every 250 s).
    /// </summary>
    public double MaxClusterPodRate { get; init; } = 20;

    /// <summary>How long a workload pod runs before it completes and is removed (±20 %).</summary>
    public TimeSpan WorkloadPodLifetime { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Most workload pods alive on one node; the oldest goes when a new one comes.</summary>
    public int MaxWorkloadPodsPerNode { get; init; } = 4;

    /// <summary>First retry after a failed sandbox; doubles up to <see cref="SandboxRetryMax"/>.</summary>
    public TimeSpan SandboxRetryInitial { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between sandbox retries of a stuck pod (the reference event counts about every 12 s).</summary>
    public TimeSpan SandboxRetryMax { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>From container start to Ready (readiness probe).</summary>
    public TimeSpan ContainerReadyDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a running linkerd-cni refreshes its kubeconfig token (the kubelet rotates projected tokens at 80 % of an hour).</summary>
    public TimeSpan TokenRefreshInterval { get; init; } = TimeSpan.FromMinutes(48);

    /// <summary>Seed of the jitter and of sandbox ids.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Simulated seconds per real second at start.</summary>
    public double TimeScale { get; init; } = 1;
}
