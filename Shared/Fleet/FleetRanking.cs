using System.Globalization;
using CniDashboard.Shared.Analysis;

namespace CniDashboard.Shared.Fleet;

/// <summary>How the fleet view orders clusters and findings, and says a finding's spread in words.</summary>
public static class FleetRanking
{
    /// <summary>
    /// Worst first: most critical nodes, then most warnings, then most stale agents; ties by id so the
    /// order is stable from one refresh to the next.
    /// </summary>
    public static IReadOnlyList<ClusterHealth> WorstFirst(IEnumerable<ClusterHealth> clusters) =>
        [.. clusters
            .OrderByDescending(c => c.Critical)
            .ThenByDescending(c => c.Warning)
            .ThenByDescending(c => c.Stale)
            .ThenBy(c => c.Id, StringComparer.Ordinal)];

    /// <summary>Findings by rule: worst severity first, then most nodes over the fleet, then by rule.</summary>
    public static IReadOnlyList<FleetFinding> Findings(IEnumerable<(string Cluster, string Rule, Severity Severity, int Nodes)> rows) =>
        [.. rows
            .Where(r => r.Nodes > 0)
            .GroupBy(r => r.Rule, StringComparer.Ordinal)
            .Select(g => new FleetFinding
            {
                Rule = g.Key,
                Severity = g.Max(r => r.Severity),
                Clusters = [.. g.GroupBy(r => r.Cluster, StringComparer.Ordinal)
                    .Select(c => new ClusterNodeCount(c.Key, c.Sum(r => r.Nodes)))
                    .OrderByDescending(c => c.Nodes).ThenBy(c => c.Cluster, StringComparer.Ordinal)],
            })
            .OrderByDescending(f => f.Severity).ThenByDescending(f => f.TotalNodes).ThenBy(f => f.Rule, StringComparer.Ordinal)];

    /// <summary>"mesh-token-pod-gone on 40 nodes in prod-us-2, 3 in prod-eu-1" (one node: "on 1 node in …").</summary>
    public static string Describe(FleetFinding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var parts = finding.Clusters.Select((c, i) => i == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{c.Nodes} {(c.Nodes == 1 ? "node" : "nodes")} in {c.Cluster}")
            : string.Create(CultureInfo.InvariantCulture, $"{c.Nodes} in {c.Cluster}"));
        return $"{finding.Rule} on {string.Join(", ", parts)}";
    }
}
