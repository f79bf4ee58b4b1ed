using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Fleet;

namespace CniDashboard.Client.Tests.Fakes;

/// <summary>
/// The fleet as pages read it, from a fixed list of nodes per cluster; ranking and wording come from
/// the shared <see cref="FleetRanking"/>, as on the server. One cluster (the local one) unless a test adds more.
/// </summary>
public sealed class FakeFleetQueries : IFleetQueries
{
    private readonly Dictionary<string, List<FleetNode>> _clusters = new(StringComparer.Ordinal);

    public FakeFleetQueries(string local = "eks-prod-us-west-2")
    {
        LocalCluster = local;
        _clusters[local] = [];
    }

    /// <inheritdoc />
    public string LocalCluster { get; }

    /// <summary>Set to make every query fail with this message.</summary>
    public string? Failure { get; set; }

    /// <summary>Most nodes a cluster page returns.</summary>
    public int PageCap { get; set; } = 500;

    /// <summary>Adds <paramref name="count"/> nodes with <paramref name="rule"/> open at <paramref name="severity"/> to a cluster.</summary>
    public FakeFleetQueries With(string cluster, int count, string? rule = null, Severity? severity = Severity.Critical, AgentState agent = AgentState.Current)
    {
        if (!_clusters.TryGetValue(cluster, out var nodes)) _clusters[cluster] = nodes = [];
        var start = nodes.Count;
        nodes.AddRange(Enumerable.Range(start + 1, count).Select(i => new FleetNode
        {
            Name = $"{cluster}-node-{i:D2}",
            Agent = agent,
            WorstSeverity = rule is null ? null : severity,
            Rules = rule is null ? [] : [rule],
        }));
        return this;
    }

    /// <inheritdoc />
    public Task<FleetOverview> GetOverviewAsync(CancellationToken cancellationToken)
    {
        if (Failure is { } failure) throw new InvalidOperationException(failure);
        var findings = _clusters.SelectMany(c => c.Value.SelectMany(n => n.Rules.Select(r => (Cluster: c.Key, Rule: r, Severity: n.WorstSeverity ?? Severity.Info))))
            .GroupBy(x => (x.Cluster, x.Rule))
            .Select(g => (g.Key.Cluster, g.Key.Rule, g.Max(x => x.Severity), g.Count()));
        return Task.FromResult(new FleetOverview
        {
            Clusters = FleetRanking.WorstFirst(_clusters.Select(c => Health(c.Key, c.Value))),
            Findings = FleetRanking.Findings(findings),
        });
    }

    /// <inheritdoc />
    public Task<FleetNodePage?> GetClusterNodesAsync(string cluster, CancellationToken cancellationToken)
    {
        if (Failure is { } failure) throw new InvalidOperationException(failure);
        if (!_clusters.TryGetValue(cluster, out var nodes)) return Task.FromResult<FleetNodePage?>(null);
        var shown = nodes.OrderByDescending(n => n.WorstSeverity.HasValue ? (int)n.WorstSeverity.Value : -1).ThenBy(n => n.Name, StringComparer.Ordinal).Take(PageCap).ToArray();
        return Task.FromResult<FleetNodePage?>(new FleetNodePage { Cluster = Health(cluster, nodes), Nodes = shown, Truncated = shown.Length < nodes.Count });
    }

    private ClusterHealth Health(string id, List<FleetNode> nodes) => new()
    {
        Id = id,
        Nodes = nodes.Count,
        Critical = nodes.Count(n => n.WorstSeverity == Severity.Critical),
        Warning = nodes.Count(n => n.WorstSeverity == Severity.Warning),
        Stale = nodes.Count(n => n.Agent == AgentState.Stale),
        IsLocal = id == LocalCluster,
    };
}
