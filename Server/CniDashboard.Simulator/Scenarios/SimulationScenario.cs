namespace CniDashboard.Simulator.Scenarios;

/// <summary>What a freshly seeded cluster looks like.</summary>
public enum SimulationScenario
{
    /// <summary>
    /// The linkerd-cni upgrade incident: on a quarter of the nodes (3 of 12; capped, see
    /// <see cref="ScenarioPlan"/>) the stale linkerd-cni entry is chained with a revoked token, the
    /// replacement linkerd-cni pod is stuck ContainerCreating and the rollout is stuck; plus a node
    /// with a leftover <c>10-aws.conflist.cilium_bak</c>.
    /// </summary>
    Incident,

    /// <summary>Every node healthy and the linkerd-cni rollout complete.</summary>
    Healthy,
}
