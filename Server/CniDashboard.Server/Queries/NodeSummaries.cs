using CniDashboard.Server.Cluster;
using CniDashboard.Server.Fleet;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Queries;

/// <summary>
/// The Nodes page's rows, built from memory only (cluster facts + fleet state + recent sandbox
/// counts), so filtering and sorting 5,000 nodes never touches SQLite.
/// </summary>
public sealed class NodeSummaries(ClusterState cluster, FleetState fleet, SandboxActivity sandbox, TimeProvider time)
{
    private readonly Lock _lock = new();
    private (long Cluster, long Fleet, long Sandbox, long Second) _builtFor = (-1, -1, -1, -1);
    private IReadOnlyList<NodeRow> _built = [];

    /// <summary>
    /// Every node known to the cluster or the store. Rebuilt only when a cluster fact, a node's state or
    /// the sandbox counters changed (or the clock moved on a second, for the last-hour window), so a
    /// page that re-reads a quiet fleet of 5,000 nodes allocates nothing new.
    /// </summary>
    public IReadOnlyList<NodeRow> All()
    {
        var key = (cluster.Version, fleet.Version, sandbox.Version, time.GetUtcNow().ToUnixTimeSeconds());
        lock (_lock)
        {
            if (key == _builtFor) return _built;
        }

        var built = Build();
        lock (_lock)
        {
            _built = built;
            _builtFor = key;
        }

        return built;
    }

    private IReadOnlyList<NodeRow> Build()
    {
        var counts = sandbox.CountsByNode();
        var facts = cluster.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var names = new HashSet<string>(facts.Keys, StringComparer.Ordinal);
        // Nodes gone from the cluster stay visible while they have history.
        foreach (var n in fleet.All) if (n.Latest is not null) names.Add(n.Name);

        var rows = new List<NodeRow>(names.Count);
        foreach (var name in names)
            rows.Add(Build(name, facts.GetValueOrDefault(name), fleet.Get(name), counts.GetValueOrDefault(name)));
        return rows;
    }

    /// <summary>One node's row, or null when neither the cluster nor the store knows it.</summary>
    public NodeRow? One(string name)
    {
        var facts = cluster.GetNode(name);
        var runtime = fleet.Get(name);
        if (facts is null && runtime is null) return null;
        return Build(name, facts, runtime, sandbox.CountsByNode().GetValueOrDefault(name));
    }

    private NodeRow Build(string name, NodeFacts? facts, NodeRuntime? runtime, int sandboxErrors)
    {
        var worst = runtime?.Worst;
        var findings = runtime?.Findings ?? [];
        var summary = new NodeSummary
        {
            Name = name,
            NodeGroup = facts?.NodeGroup,
            OsImage = facts?.OsImage,
            InstanceType = facts?.InstanceType,
            KubeletVersion = facts?.KubeletVersion,
            Unschedulable = facts?.Unschedulable ?? false,
            NetworkReady = facts?.NetworkReady,
            PrimaryFile = runtime?.Latest?.Header.PrimaryFile,
            PrimaryStatus = runtime?.Latest?.Header.PrimaryStatus,
            Chain = runtime?.Latest?.Header.Chain ?? [],
            WorstSeverity = worst?.Severity,
            WorstRule = worst?.Rule,
            WorstMessage = worst?.Message,
            FindingCount = findings.Count(f => f.Severity >= Severity.Warning),
            SandboxErrorsLastHour = sandboxErrors,
            PodsStuckCreating = cluster.PendingOn(name),
            Agent = runtime?.Agent ?? new AgentStatus { State = AgentState.Unknown, Reason = "never polled" },
            LastChangeAt = runtime?.LastChangeAt,
        };
        return new NodeRow(summary, findings, facts is null);
    }
}

/// <summary>A Nodes page row with what filters need.</summary>
/// <param name="Summary">The row.</param>
/// <param name="Findings">The node's open findings.</param>
/// <param name="GoneFromCluster">True when the cluster no longer lists the node.</param>
public sealed record NodeRow(NodeSummary Summary, IReadOnlyList<Finding> Findings, bool GoneFromCluster)
{
    /// <summary>True when a finding of <paramref name="rule"/> is open on the node.</summary>
    public bool HasRule(string rule) => Findings.Any(f => f.Rule == rule);
}
