using System.Net;
using CniDashboard.Simulator.Scenarios;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniDashboard.Simulator;

/// <summary>How a <see cref="SimulatedCluster"/> is built and paced.</summary>
public sealed record SimulationOptions
{
    /// <summary>Most nodes a simulation runs.</summary>
    public const int MaxNodes = 5_000;

    /// <summary>
    /// Where everything lives: <c>nodes/&lt;node&gt;/…</c> (each node's real folders) and
    /// <c>simulator/</c> (state, kubeconfigs, the agent token). Kept across runs: a restart resumes.
    /// </summary>
    public required string DataDir { get; init; }

    /// <summary>How many nodes (1 to 5,000). On a resume, extra nodes are added healthy and missing ones dropped.</summary>
    public int NodeCount { get; init; } = 12;

    /// <summary>Seeds names, addresses, which nodes the scenario breaks, jitter. Ignored on a resume (the cluster keeps its own).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>What the cluster looks like when first seeded. Ignored on a resume.</summary>
    public SimulationScenario Scenario { get; init; } = SimulationScenario.Incident;

    /// <summary>The clock of everything: API timestamps, tokens, the kubelet's timers.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Simulated seconds per real second for the kubelet and installers (the clock itself is not scaled).</summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>The kubelet's sync period (simulated time).</summary>
    public TimeSpan KubeletTick { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a new workload pod lands on each node (simulated time, ±20 %).</summary>
    public TimeSpan WorkloadPodInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most workload pods placed per simulated second across the whole cluster (the scheduler's
    /// pace): above <c>rate × interval</c> nodes each node gets its pods less often, so pod churn —
    /// and the API server's memory — stays bounded at 5,000 nodes.
    /// </summary>
    public double MaxClusterPodRate { get; init; } = 20;

    /// <summary>How long a started workload pod runs before it completes (simulated time, ±20 %).</summary>
    public TimeSpan WorkloadPodLifetime { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Most workload pods alive on a node; the oldest is removed for a new one, so memory stays flat.</summary>
    public int MaxWorkloadPodsPerNode { get; init; } = 4;

    /// <summary>First retry of a failed sandbox (simulated time); doubles up to <see cref="SandboxRetryMax"/>.</summary>
    public TimeSpan SandboxRetryInitial { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between retries of a stuck pod (simulated time).</summary>
    public TimeSpan SandboxRetryMax { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>From container start to Ready (simulated time).</summary>
    public TimeSpan ContainerReadyDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Cilium's <c>cni-exclusive</c>, seeded into its <c>kube-system/cilium-config</c> ConfigMap: a Cilium
    /// pod that starts with it renames every other config to <c>*.cilium_bak</c>. Linkerd and Cilium say
    /// false when chaining. Ignored on a resume (the ConfigMap is kept); change it live with
    /// <see cref="SimulatedCluster.SetCiliumExclusive"/>.
    /// </summary>
    public bool CiliumExclusive { get; init; }

    /// <summary>
    /// The first node's address is the next one after this (127.1.0.1 for the default); nodes take
    /// consecutive loopback addresses. Give concurrent simulations different bases.
    /// </summary>
    public IPAddress AddressBase { get; init; } = IPAddress.Parse("127.1.0.0");

    /// <summary>The agents' port on every node address; 0 reuses the last run's port when free, else picks one.</summary>
    public int AgentPort { get; init; }

    /// <summary>The API server's port on 127.0.0.1; 0 picks a free one.</summary>
    public int ApiPort { get; init; }

    /// <summary>
    /// Changes the API server keeps for watches to resume from (older ones answer 410 and the client
    /// relists). 10,000 covers minutes of a 5,000-node cluster's churn; every retained change holds an
    /// old object version, so this is most of the simulator's memory beyond the live objects.
    /// </summary>
    public int WatchHistoryCapacity { get; init; } = 10_000;

    /// <summary>How often the state is saved even without a change to remember (real time on <see cref="TimeProvider"/>).</summary>
    public TimeSpan StateSaveInterval { get; init; } = TimeSpan.FromMinutes(1);

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(DataDir, nameof(DataDir));
        ArgumentOutOfRangeException.ThrowIfLessThan(NodeCount, 1, nameof(NodeCount));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(NodeCount, MaxNodes, nameof(NodeCount));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TimeScale, 0, nameof(TimeScale));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(KubeletTick, TimeSpan.Zero, nameof(KubeletTick));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(WorkloadPodInterval, TimeSpan.Zero, nameof(WorkloadPodInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(WorkloadPodLifetime, TimeSpan.Zero, nameof(WorkloadPodLifetime));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxWorkloadPodsPerNode, 1, nameof(MaxWorkloadPodsPerNode));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxClusterPodRate, 0, nameof(MaxClusterPodRate));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SandboxRetryInitial, TimeSpan.Zero, nameof(SandboxRetryInitial));
        ArgumentOutOfRangeException.ThrowIfLessThan(SandboxRetryMax, SandboxRetryInitial, nameof(SandboxRetryMax));
        ArgumentOutOfRangeException.ThrowIfLessThan(ContainerReadyDelay, TimeSpan.Zero, nameof(ContainerReadyDelay));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StateSaveInterval, TimeSpan.Zero, nameof(StateSaveInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(WatchHistoryCapacity, 100, nameof(WatchHistoryCapacity));
        ArgumentOutOfRangeException.ThrowIfNegative(AgentPort, nameof(AgentPort));
        ArgumentOutOfRangeException.ThrowIfNegative(ApiPort, nameof(ApiPort));
        if (AddressBase.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || AddressBase.GetAddressBytes()[0] != 127)
        {
            throw new ArgumentException("AddressBase must be an IPv4 loopback address (127.x.y.z)", nameof(AddressBase));
        }
    }
}
