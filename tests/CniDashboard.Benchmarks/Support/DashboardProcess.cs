using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CniDashboard.Simulator;

namespace CniDashboard.Benchmarks.Support;

/// <summary>
/// The real dashboard (<c>cni-dashboard.dll</c> beside the bench) as its own process, pointed at a
/// simulated cluster the way a deployment points it at a real one: its kubeconfig, the agents' port
/// and token, and the agents' CA and name (the simulated agents serve TLS as deployed). One place,
/// so every bench polls the way the product does.
/// </summary>
internal static class DashboardProcess
{
    /// <summary>
    /// Starts it on a free loopback port with a 5 s poll; <paramref name="environment"/> holds extra
    /// <c>NAME=VALUE</c> settings for it alone. Its output is echoed, prefixed.
    /// </summary>
    public static Process Start(SimulatedCluster cluster, string dataDir, string clusterName, IEnumerable<string> environment, out int port) =>
        Start(cluster, dataDir, clusterName, environment, "00:00:05", out port);

    /// <summary>As above, with the poll interval of mode <c>poll</c> (hh:mm:ss).</summary>
    public static Process Start(SimulatedCluster cluster, string dataDir, string clusterName, IEnumerable<string> environment, string pollInterval, out int port)
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "cni-dashboard.dll"),
                "--kubeconfig", cluster.KubeconfigPath,
                "--agent-token-file", cluster.AgentTokenFile,
                "--agent-port", cluster.AgentPort.ToString(CultureInfo.InvariantCulture),
                "--agent-ca-file", cluster.AgentCaFile,
                "--agent-server-name", cluster.AgentServerName,
                "--data-dir", dataDir,
                "--port", port.ToString(CultureInfo.InvariantCulture),
                "--poll-interval", pollInterval,
                "--cluster-name", clusterName,
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        // No sign-in on loopback (the default, said outright): a bench measures polling and pages, not sign-in.
        info.Environment["Dashboard__Auth__Mode"] = "none";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var setting in environment)
        {
            var eq = setting.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) info.Environment[setting[..eq]] = setting[(eq + 1)..];
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the dashboard");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine($"  dashboard: {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine($"  dashboard! {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
