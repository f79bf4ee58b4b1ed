using CniDashboard.Server.Analysis;
using CniDashboard.Server.Fleet;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Server.Remediation;

/// <summary>
/// What the planner reads about nodes: each node's latest stored snapshot and the cluster context the
/// analysis builds for it (<see cref="NodeContextBuilder"/>), so a plan's edits and predictions are
/// what the dashboard's own analysis of that snapshot says.
/// </summary>
public sealed class PlanInputs(FleetState fleet, NodeContextBuilder contexts, NodeGroupBaselines baselines)
{
    /// <summary>The nodes whose current findings include <paramref name="rule"/> (and <paramref name="plugin"/>, when given), by name.</summary>
    public IReadOnlyList<string> NodesShowing(string rule, string? plugin) =>
        [.. fleet.All.Where(n => n.Findings.Any(f => f.Rule == rule && (plugin is null || f.Plugin == plugin))).Select(n => n.Name).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The planner's request for <paramref name="nodes"/>: each with its latest snapshot and context;
    /// the fleet's contexts for the risks. Nodes without a snapshot are left out and returned in <c>Missing</c>.
    /// </summary>
    public (PlanRequest Request, IReadOnlyList<ExcludedNode> Missing) Request(string rule, string? plugin, IReadOnlyList<string> nodes, RemediationOptions options, DateTimeOffset now)
    {
        var groups = baselines.Compute();
        var inputs = new List<PlanNodeInput>(nodes.Count);
        var missing = new List<ExcludedNode>();
        foreach (var node in nodes)
        {
            if (Input(node, groups) is { } input) inputs.Add(input);
            else missing.Add(new ExcludedNode(node, "the dashboard has no snapshot of the node's folder"));
        }
        var fleetContexts = fleet.All.Select(n => n.Name).Order(StringComparer.Ordinal).Select(n => contexts.Build(n, groups)).ToArray();
        return (new PlanRequest { Rule = rule, Plugin = plugin, Nodes = inputs, Fleet = fleetContexts, Options = options, Now = now }, missing);
    }

    /// <summary>One node's planner input from its latest snapshot, or null when there is none.</summary>
    public PlanNodeInput? Input(string node, IReadOnlyDictionary<string, ContextNodeGroup>? groups = null)
    {
        if (fleet.Get(node)?.Latest is not { } latest) return null;
        return new PlanNodeInput
        {
            Node = node,
            Files = latest.Files,
            Binaries = latest.Binaries,
            Context = contexts.Build(node, groups ?? baselines.Compute()),
            HostCniDir = latest.Header.CniDir ?? CniAnalyzer.DefaultHostCniDir,
        };
    }
}
