using CniDashboard.Shared.Remediation;

namespace CniDashboard.Client.Model;

/// <summary>Which nodes running or paused plans are working on now, for the "being fixed" chips.</summary>
public sealed class NodesBeingFixed
{
    private readonly Dictionary<string, PlanSummary> _byNode;

    private NodesBeingFixed(Dictionary<string, PlanSummary> byNode) => _byNode = byNode;

    /// <summary>No node.</summary>
    public static NodesBeingFixed None { get; } = new([]);

    /// <summary>The query that lists the plans whose nodes count: running and paused ones.</summary>
    public static PlanListQuery Query { get; } = new() { States = [PlanState.Running, PlanState.Paused] };

    /// <summary>The plans that are running or paused, and the nodes each has in flight.</summary>
    public IReadOnlyList<PlanSummary> Plans { get; private init; } = [];

    /// <summary>Indexes the nodes in flight of <paramref name="plans"/> (a plan that is neither running nor paused is left out).</summary>
    public static NodesBeingFixed From(IReadOnlyList<PlanSummary> plans)
    {
        var underway = plans.Where(p => p.State is PlanState.Running or PlanState.Paused).ToList();
        var byNode = new Dictionary<string, PlanSummary>(StringComparer.Ordinal);
        foreach (var plan in underway)
        {
            foreach (var node in plan.NodesInFlight)
            {
                byNode.TryAdd(node, plan);
            }
        }

        return new NodesBeingFixed(byNode) { Plans = underway };
    }

    /// <summary>
    /// Reads the running and paused plans. Remediation is an extra on the pages that show these chips:
    /// without the service (remediation off) or when the read fails, no node shows as being fixed and
    /// the page works on.
    /// </summary>
    public static async Task<NodesBeingFixed> LoadAsync(IRemediationService? remediation, CancellationToken cancellationToken)
    {
        if (remediation is null)
        {
            return None;
        }

        try
        {
            return From(await remediation.ListAsync(Query, cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return None;
        }
    }

    /// <summary>The plan working on <paramref name="node"/>, or null.</summary>
    public PlanSummary? For(string node) => _byNode.GetValueOrDefault(node);
}
