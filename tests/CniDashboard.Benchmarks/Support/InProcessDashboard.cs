using System.Globalization;
using CniDashboard.Simulator;

namespace CniDashboard.Benchmarks.Support;

/// <summary>
/// The settings that point the real dashboard, hosted in the bench's own process, at a simulated
/// cluster the way a deployment points it at a real one (kubeconfig, the agents' port, token, CA and
/// name), on a free loopback port with a 5 s poll and its data in the given folder; a bench
/// adds its own on top. The process-hosted counterpart is <see cref="DashboardProcess"/>.
/// </summary>
internal static class InProcessDashboard
{
    public static Dictionary<string, string?> Settings(SimulatedCluster cluster, string dataDir) => new()
    {
        ["Dashboard:Kubernetes:Kubeconfig"] = cluster.KubeconfigPath,
        ["Dashboard:Poller:AgentTokenFile"] = cluster.AgentTokenFile,
        ["Dashboard:Poller:AgentPort"] = cluster.AgentPort.ToString(CultureInfo.InvariantCulture),
        ["Dashboard:Poller:AgentCaFile"] = cluster.AgentCaFile,
        ["Dashboard:Poller:AgentServerName"] = cluster.AgentServerName,
        ["Dashboard:Poller:Interval"] = "00:00:05",
        ["Dashboard:DataDir"] = dataDir,
        ["Dashboard:ListenAddress"] = "127.0.0.1",
        ["Dashboard:Port"] = "0",
    };
}
