using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Fleet;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Client.Tests.Fakes;

/// <summary>
/// The fleet as pages read it, from a fixed list of nodes per cluster; ranking and wording come from
/// the shared <see cref="FleetRanking"/>, as on the server. One cluster (the local one) unless a test adds more.
/// </summary>
public sealed class FakeFleetQueries : IFleetQueries
{
    private readonly Dictionary<string, List<FleetNode>> _clusters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IDashboardQueries> _queries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PlanSummary>> _plans = new(StringComparer.Ordinal);

    public FakeFleetQueries(string local = "eks-prod-us-west-2")
    {
        LocalCluster = local;
        _clusters[local] = [];
    }

    /// <inheritdoc />
    public string LocalCluster { get; }

    /// <summary>Set to make every query fail with this message.</summary>
    public string? Failure { get; set; }

    /// <summary>The local cluster's live read model (what the unprefixed pages use), answered for <see cref="LocalCluster"/>.</summary>
    public IDashboardQueries? LocalQueries { get; set; }

    /// <summary>When set, every query waits for it (or for its token to be cancelled), to test what a page does meanwhile.</summary>
    public TaskCompletionSource? Hold { get; set; }

    /// <summary>The token of the last query asked.</summary>
    public CancellationToken LastToken { get; private set; }

    /// <summary>Queries asked so far.</summary>
    public int Calls { get; private set; }

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

    /// <summary>Serves <paramref name="queries"/> as the read model of another cluster's nodes.</summary>
    public FakeFleetQueries WithQueries(string cluster, IDashboardQueries queries)
    {
        _queries[cluster] = queries;
        return this;
    }

    /// <summary>Adds plans to a cluster.</summary>
    public FakeFleetQueries WithPlans(string cluster, params PlanSummary[] plans)
    {
        if (!_plans.TryGetValue(cluster, out var list)) _plans[cluster] = list = [];
        list.AddRange(plans);
        return this;
    }

    /// <inheritdoc />
    public IDashboardQueries? QueriesFor(string cluster) =>
        !ClusterId.IsValid(cluster) ? null : cluster == LocalCluster ? LocalQueries : _queries.GetValueOrDefault(cluster);

    /// <inheritdoc />
    public async Task<IReadOnlyList<PlanSummary>> GetClusterPlansAsync(string cluster, PlanListQuery query, CancellationToken cancellationToken)
    {
        await AskAsync(cancellationToken);
        return _plans.TryGetValue(cluster, out var plans) ? [.. plans.OrderByDescending(p => p.CreatedAt)] : [];
    }

    private async Task AskAsync(CancellationToken cancellationToken)
    {
        Calls++;
        LastToken = cancellationToken;
        if (Hold is { } hold) await hold.Task.WaitAsync(cancellationToken);
        if (Failure is { } failure) throw new InvalidOperationException(failure);
    }

    /// <inheritdoc />
    public async Task<FleetOverview> GetOverviewAsync(CancellationToken cancellationToken)
    {
        await AskAsync(cancellationToken);
        var findings = _clusters.SelectMany(c => c.Value.SelectMany(n => n.Rules.Select(r => (Cluster: c.Key, Rule: r, Severity: n.WorstSeverity ?? Severity.Info))))
            .GroupBy(x => (x.Cluster, x.Rule))
            .Select(g => (g.Key.Cluster, g.Key.Rule, g.Max(x => x.Severity), g.Count()));
        return new FleetOverview
        {
            Clusters = FleetRanking.WorstFirst(_clusters.Select(c => Health(c.Key, c.Value))),
            Findings = FleetRanking.Findings(findings),
        };
    }

    /// <inheritdoc />
    public async Task<FleetNodePage?> GetClusterNodesAsync(string cluster, CancellationToken cancellationToken)
    {
        await AskAsync(cancellationToken);
        if (!_clusters.TryGetValue(cluster, out var nodes)) return null;
        var shown = nodes.OrderByDescending(n => n.WorstSeverity.HasValue ? (int)n.WorstSeverity.Value : -1).ThenBy(n => n.Name, StringComparer.Ordinal).Take(PageCap).ToArray();
        return new FleetNodePage { Cluster = Health(cluster, nodes), Nodes = shown, Truncated = shown.Length < nodes.Count };
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
