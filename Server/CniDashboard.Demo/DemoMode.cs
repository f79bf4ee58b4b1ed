using System.Globalization;
using CniDashboard.Demo.SignIn;
using CniDashboard.Simulator;
using CniDashboard.Simulator.Nodes;

namespace CniDashboard.Demo;

/// <summary>
/// Starts the demo: the simulated cluster in the demo's data dir, and the demo's OpenID Connect
/// provider with one user per role; then hands the dashboard the configuration that points it at
/// both (kubeconfig, agent token, port, CA and name; issuer, client id and secret, role map; its own
/// data dir; a loopback listen address). This choice of configuration is the only place the demo
/// exists: the dashboard runs, and signs people in, exactly as against a real cluster and IdP.
/// </summary>
public static class DemoMode
{
    /// <summary>Each demo group's dashboard role.</summary>
    public static IReadOnlyDictionary<string, string> RoleOfGroup { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [DemoUser.DemoGroups.Viewers] = "Viewer",
        [DemoUser.DemoGroups.Operators] = "Operator",
        [DemoUser.DemoGroups.Approvers] = "Approver",
        [DemoUser.DemoGroups.Admins] = "Admin",
    };

    /// <summary>
    /// What points a dashboard (or a collector) at a simulated cluster: its API, its agents' token, port,
    /// CA and name, a short poll and checkpoint interval, a data dir and a loopback listen address.
    /// </summary>
    public static Dictionary<string, string?> ClusterSettings(SimulatedCluster cluster, string dataDir)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return new Dictionary<string, string?>(StringComparer.Ordinal)
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
            ["Dashboard:DataDir"] = dataDir,
            ["Dashboard:ListenAddress"] = "127.0.0.1",
        };
    }

    /// <summary>
    /// Starts the simulation and the identity provider; the returned session configures the
    /// dashboard and, disposed, stops both (data kept). <paramref name="users"/> replaces the demo's
    /// users (tests add one whose groups map to no role).
    /// </summary>
    public static async Task<DemoSession> StartAsync(string[] args, TextWriter output, CancellationToken cancellationToken = default, IReadOnlyList<DemoUser>? users = null)
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

        // The redirect URIs registered with the identity provider name the dashboard's port: it is fixed before either starts.
        var port = options.Port == 0 ? FreePort.Pick() : options.Port;
        var portText = port.ToString(CultureInfo.InvariantCulture);
        var url = new Uri($"http://127.0.0.1:{portText}/");
        DemoIdentityProvider identityProvider;
        try
        {
            identityProvider = await DemoIdentityProvider.StartAsync(
                new DemoIdentityProviderOptions
                {
                    DashboardOrigins = [url, new Uri($"http://localhost:{portText}/")],
                    Users = users ?? DemoUser.All,
                    RoleOfGroup = RoleOfGroup,
                    Port = options.IdentityProviderPort,
                    LoggerFactory = loggers,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            loggers.Dispose();
            throw new DemoException($"the demo's sign-in provider cannot start: {e.Message}", e);
        }

        var dashboardDir = Path.Combine(dataDir, "dashboard");
        Directory.CreateDirectory(dashboardDir);
        var configuration = new Dictionary<string, string?>(ClusterSettings(cluster, dashboardDir), StringComparer.Ordinal)
        {
            ["Dashboard:Port"] = portText,
            ["Dashboard:ClusterName"] = $"demo (simulated EKS, {cluster.Nodes.Count} nodes)",
            // Sign-in through the demo's identity provider, configured as any IdP would be.
            ["Dashboard:Auth:Mode"] = "oidc",
            ["Dashboard:Auth:Oidc:Authority"] = identityProvider.Issuer.ToString(),
            ["Dashboard:Auth:Oidc:ClientId"] = DemoIdentityProvider.ClientId,
            ["Dashboard:Auth:Oidc:ClientSecret"] = identityProvider.ClientSecret,
            ["Dashboard:Auth:Oidc:Scopes:0"] = "profile",
            ["Dashboard:Auth:Oidc:Scopes:1"] = "email",
            ["Dashboard:Auth:Oidc:Scopes:2"] = DemoIdentityProvider.GroupsClaim,
            ["Dashboard:Auth:Oidc:RolesClaim"] = DemoIdentityProvider.GroupsClaim,
            ["Dashboard:Auth:Oidc:Audience"] = DemoIdentityProvider.Audience,
        };
        foreach (var (group, role) in RoleOfGroup) configuration[$"Dashboard:Auth:Roles:{role}:0"] = group;

        // A fleet (--clusters N): this dashboard collects cluster demo-1 into the shared PostgreSQL, one
        // collector per further simulated cluster writes its own; the dashboard shows them all.
        var collectors = new List<DemoCollector>();
        if (options.Clusters > 1)
        {
            configuration["Dashboard:Store:Provider"] = "postgres";
            configuration["Dashboard:Store:ConnectionString"] = options.Postgres;
            configuration["Dashboard:Cluster:Id"] = DemoCollector.FleetClusterId(1);
            configuration["Dashboard:ClusterName"] = $"{DemoCollector.FleetClusterId(1)} (simulated EKS, {cluster.Nodes.Count} nodes)";
            try
            {
                for (var number = 2; number <= options.Clusters; number++)
                {
                    await output.WriteLineAsync($"cni-dashboard: starting simulated cluster {DemoCollector.FleetClusterId(number)} ({options.Nodes} nodes) and its collector …").ConfigureAwait(false);
                    var collector = await DemoCollector.StartClusterAsync(number, options, dataDir, options.Postgres!, loggers, cancellationToken).ConfigureAwait(false);
                    collectors.Add(collector);
                    await collector.StartAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException or UnauthorizedAccessException or Microsoft.Extensions.Options.OptionsValidationException)
            {
                foreach (var started in collectors) await started.DisposeAsync().ConfigureAwait(false);
                await identityProvider.DisposeAsync().ConfigureAwait(false);
                await cluster.DisposeAsync().ConfigureAwait(false);
                loggers.Dispose();
                throw new DemoException($"the fleet demo cannot start its collectors: {e.Message}", e);
            }
        }

        var incident = cluster.NodesWithRole(NodeRole.Incident).Count;
        await output.WriteLineAsync(
            $"cni-dashboard: simulated cluster {(cluster.Resumed ? "resumed" : "created")}: {cluster.Nodes.Count} nodes"
            + (incident > 0 ? $", the linkerd-cni incident on {incident} of them" : "")
            + $"; API {cluster.Emulator.BaseAddress} (kubectl: KUBECONFIG={cluster.AdminKubeconfigPath})").ConfigureAwait(false);
        await output.WriteLineAsync($"cni-dashboard: sign-in provider (OpenID Connect, demo users, no passwords) at {identityProvider.Issuer}; users:").ConfigureAwait(false);
        foreach (var user in identityProvider.Users)
        {
            var roles = string.Join(", ", user.Groups.Select(g => RoleOfGroup.TryGetValue(g, out var role) ? role : $"{g} (no role)"));
            await output.WriteLineAsync($"    {user.Id,-10} {roles}").ConfigureAwait(false);
        }

        if (collectors.Count > 0)
        {
            await output.WriteLineAsync($"cni-dashboard: a fleet of {options.Clusters} clusters on PostgreSQL: demo-1 collected by the dashboard, {string.Join(", ", collectors.Select(c => c.ClusterId))} by their collectors; the fleet overview is at {url}fleet").ConfigureAwait(false);
        }

        await output.WriteLineAsync($"cni-dashboard: demo at {url} — open it and pick a user to sign in. Ctrl-C stops it; {dataDir} is kept and the next start resumes.").ConfigureAwait(false);
        return new DemoSession(cluster, identityProvider, loggers, configuration, [.. options.DashboardArgs], url, collectors);
    }
}
