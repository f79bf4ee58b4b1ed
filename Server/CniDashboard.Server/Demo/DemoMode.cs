using System.Globalization;
using CniDashboard.Simulator;
using CniDashboard.Simulator.Nodes;

namespace CniDashboard.Server.Demo;

/// <summary>
/// <c>--demo</c>: starts the simulated cluster in the demo's data dir, then hands the dashboard the
/// configuration that points it there (kubeconfig, agent token, port, CA and name, its own data dir,
/// loopback listen URL). This start-up choice of configuration is the only place demo mode exists; the
/// dashboard runs exactly as against a real cluster.
/// </summary>
public static class DemoMode
{
    /// <summary>True when the command line asks for the demo.</summary>
    public static bool IsRequested(string[] args) => DemoOptions.IsRequested(args);

    /// <summary>Starts the simulation; the returned session configures the dashboard and, disposed, stops the simulation (data kept).</summary>
    public static async Task<DemoSession> StartAsync(string[] args, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var options = DemoOptions.Parse(args);
        var dataDir = Path.GetFullPath(options.DataDir);
        var loggers = DemoLogging.Create();
        await output.WriteLineAsync($"cni-dashboard: starting the simulated cluster ({options.Nodes} nodes) in {dataDir} …").ConfigureAwait(false);
        SimulatedCluster cluster;
        try
        {
            cluster = await SimulatedCluster.StartAsync(
                new SimulationOptions
                {
                    DataDir = dataDir,
                    NodeCount = options.Nodes,
                    Seed = options.Seed,
                    TimeScale = options.TimeScale,
                    LoggerFactory = loggers,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            loggers.Dispose();
            throw new DemoException($"the simulated cluster cannot start in {dataDir}: {e.Message}", e);
        }

        var dashboardDir = Path.Combine(dataDir, "dashboard");
        Directory.CreateDirectory(dashboardDir);
        var url = new Uri($"http://127.0.0.1:{options.Port.ToString(CultureInfo.InvariantCulture)}");
        var configuration = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Dashboard:Kubernetes:Kubeconfig"] = cluster.KubeconfigPath,
            ["Dashboard:Poller:AgentTokenFile"] = cluster.AgentTokenFile,
            ["Dashboard:Poller:AgentPort"] = cluster.AgentPort.ToString(CultureInfo.InvariantCulture),
            // The simulated agents serve TLS with the chart's kind of certificate: trust their CA, check their name.
            ["Dashboard:Poller:AgentCaFile"] = cluster.AgentCaFile,
            ["Dashboard:Poller:AgentServerName"] = cluster.AgentServerName,
            // A small cluster on one machine: poll often, so a change shows within seconds.
            ["Dashboard:Poller:Interval"] = "00:00:05",
            // A demo is short: checkpoint the audit log's head every 15 s, so verification compares with one at once.
            ["Dashboard:Audit:Checkpoint:Interval"] = "00:00:15",
            ["Dashboard:DataDir"] = dashboardDir,
            ["Dashboard:ListenAddress"] = "127.0.0.1",
            ["Dashboard:Port"] = options.Port.ToString(CultureInfo.InvariantCulture),
            ["Dashboard:AllowNonLoopbackListen"] = "false",
            ["Dashboard:ClusterName"] = $"demo (simulated EKS, {cluster.Nodes.Count} nodes)",
        };

        var incident = cluster.NodesWithRole(NodeRole.Incident).Count;
        await output.WriteLineAsync(
            $"cni-dashboard: simulated cluster {(cluster.Resumed ? "resumed" : "created")}: {cluster.Nodes.Count} nodes"
            + (incident > 0 ? $", the linkerd-cni incident on {incident} of them" : "")
            + $"; API {cluster.Emulator.BaseAddress} (kubectl: KUBECONFIG={cluster.AdminKubeconfigPath})").ConfigureAwait(false);
        await output.WriteLineAsync($"cni-dashboard: demo at {url} — no sign-in: demo mode listens on loopback only. Ctrl-C stops it; {dataDir} is kept and the next start resumes.").ConfigureAwait(false);
        return new DemoSession(cluster, loggers, configuration, [.. options.DashboardArgs], url);
    }
}
