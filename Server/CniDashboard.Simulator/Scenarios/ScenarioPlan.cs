using CniDashboard.Simulator.Nodes;

namespace CniDashboard.Simulator.Scenarios;

/// <summary>
/// Which nodes a scenario breaks, chosen reproducibly from the seed. The incident takes a quarter
/// of the nodes (3 of 12, as the linkerd-cni rollout's maxUnavailable of 25 % would) up to
/// <see cref="MaxIncidentNodes"/>: a quarter of 5,000 nodes stuck would be a different outage, and
/// 50 (1 %) is what a rollout with a fixed maxUnavailable leaves behind. One node in twelve (at
/// least one from four nodes, at most <see cref="MaxDriftNodes"/>) gets the other drift.
/// </summary>
public static class ScenarioPlan
{
    public const int MaxIncidentNodes = 50;
    public const int MaxDriftNodes = 25;

    /// <summary>How many nodes the incident takes in a cluster of <paramref name="nodeCount"/>.</summary>
    public static int IncidentNodes(int nodeCount) => Math.Min((nodeCount + 3) / 4, MaxIncidentNodes);

    /// <summary>How many nodes get the leftover-backup drift.</summary>
    public static int DriftNodes(int nodeCount) => nodeCount < 4 ? 0 : Math.Clamp(nodeCount / 12, 1, MaxDriftNodes);

    /// <summary>The role of every node index.</summary>
    public static IReadOnlyList<NodeRole> Roles(SimulationScenario scenario, int nodeCount, int seed)
    {
        var roles = Enumerable.Repeat(NodeRole.Healthy, nodeCount).ToArray();
        if (scenario != SimulationScenario.Incident)
        {
            return roles;
        }

        var order = Enumerable.Range(0, nodeCount).ToArray();
        new Random(seed ^ 0x5eed).Shuffle(order);
        var incident = IncidentNodes(nodeCount);
        var drift = DriftNodes(nodeCount);
        foreach (var index in order.Take(incident))
        {
            roles[index] = NodeRole.Incident;
        }

        foreach (var index in order.Skip(incident).Take(drift))
        {
            roles[index] = NodeRole.Drift;
        }

        return roles;
    }
}
