using CniDashboard.Shared.Fleet;

namespace CniDashboard.Server.Options;

/// <summary>Which cluster this process collects (<c>Dashboard:Cluster</c>): its rows in the store carry this id.</summary>
public sealed class ClusterOptions
{
    /// <summary>
    /// The cluster's id in the fleet (<see cref="ClusterId"/>: a DNS label such as <c>prod-eu-1</c>).
    /// <c>default</c> for a single-cluster install: the id every row stored before clusters existed has.
    /// </summary>
    public string Id { get; set; } = ClusterId.Default;
}

/// <summary>What the process does (<c>Dashboard:Mode</c>).</summary>
public enum DashboardMode
{
    /// <summary>Collects its own cluster and serves the UI and the API (for its cluster and, on a shared store, the fleet): the default.</summary>
    Dashboard,

    /// <summary>
    /// Collects its own cluster into the shared PostgreSQL store — watches, agents, analysis and the
    /// remediation of its cluster's plans — and serves no UI and no API: only health and metrics.
    /// </summary>
    Collector,
}
