using System.Net;
using System.Net.Sockets;
using CniDashboard.Agent.Auth;
using CniDashboard.Agent.Http;
using CniDashboard.Agent.Node;
using CniDashboard.Agent.Tls;
using CniDashboard.Simulator.Faults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CniDashboard.Simulator.Nodes;

/// <summary>
/// The node agents of every simulated node: the product's <see cref="NodeAgent"/> per node, all
/// served by ONE Kestrel listening on every node's address at the same port, each request routed by
/// the address it arrived on (<see cref="LocalAddressNodeResolver"/>), behind the static-token auth,
/// over TLS with one certificate for the fixed agent name (<see cref="AgentTls.UseAgentTls"/>, as on
/// a real node). The dashboard reaches an agent only through its pod IP, the node's address, as in a cluster.
/// </summary>
public sealed class AgentFleet : IAsyncDisposable
{
    private const int PortAttempts = 5;

    private readonly WebApplication _app;
    private readonly Dictionary<string, NodeAgent> _agents;
    private readonly Dictionary<string, IPAddress> _addresses;

    private AgentFleet(WebApplication app, Dictionary<string, NodeAgent> agents, Dictionary<string, IPAddress> addresses, int port, RequestHolds holds)
    {
        _addresses = addresses;
        Holds = holds;
        _app = app;
        _agents = agents;
        Port = port;
    }

    /// <summary>
    /// Holds the next snapshot request to <paramref name="nodeName"/>'s agent before it is served (for
    /// tests: a fetch round stays in its middle) until the hold is released or disposed.
    /// </summary>
    public HeldRequest HoldSnapshot(string nodeName)
    {
        var address = _addresses.TryGetValue(nodeName, out var a) ? a : throw new KeyNotFoundException($"no simulated node {nodeName}");
        return Holds.Hold(
            r => r.Path.StartsWithSegments("/v1/snapshot") && r.HttpContext.Connection.LocalIpAddress is { } local
                && address.Equals(local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local),
            HoldStage.BeforeHandling);
    }

    /// <summary>Holds an agent request before or after it is served, for a test that crashes the caller at that point.</summary>
    public RequestHolds Holds { get; }

    /// <summary>The port every agent listens on.</summary>
    public int Port { get; }

    /// <summary>The agent serving <paramref name="nodeName"/>.</summary>
    public NodeAgent Agent(string nodeName) =>
        _agents.TryGetValue(nodeName, out var agent) ? agent : throw new KeyNotFoundException($"no simulated node {nodeName}");

    /// <summary>Drops the node's cached snapshot: its folder changed.</summary>
    public void Invalidate(string nodeName)
    {
        if (_agents.TryGetValue(nodeName, out var agent))
        {
            agent.Invalidate();
        }
    }

    /// <summary>Drops every cached snapshot (the folder watcher lost events).</summary>
    public void InvalidateAll()
    {
        foreach (var agent in _agents.Values)
        {
            agent.Invalidate();
        }
    }

    /// <summary>
    /// Creates the agents and starts listening. <paramref name="preferredPort"/> 0 picks a port free
    /// on the first node's address (retrying if another process takes it first); a non-zero port is used as is.
    /// </summary>
    internal static async Task<AgentFleet> StartAsync(
        IReadOnlyList<SimulatedNode> nodes,
        string token,
        ServingCertificate certificate,
        int preferredPort,
        bool portIsRequired,
        TimeProvider time,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var agents = new Dictionary<string, NodeAgent>(nodes.Count, StringComparer.Ordinal);
        var resolver = new LocalAddressNodeResolver();
        try
        {
            foreach (var node in nodes)
            {
                var agent = new NodeAgent(
                    new NodeAgentOptions
                    {
                        NodeName = node.Name,
                        CniDir = node.CniDir,
                        HostCniDir = SimulatedNode.HostCniDir,
                        BinDir = node.BinDir,
                        BackupDir = node.BackupDir,
                        // One watcher over all nodes (NodeFolderWatcher) calls Invalidate instead.
                        WatchFolder = false,
                        RescanInterval = TimeSpan.FromMinutes(5),
                    },
                    time,
                    new Logger<NodeAgent>(loggers));
                agents.Add(node.Name, agent);
                resolver.Add(node.Address, agent);
            }

            var authenticator = new StaticTokenAuthenticator(token, "cni-dashboard (static token)");
            var port = preferredPort;
            var holds = new RequestHolds();
            for (var attempt = 1; ; attempt++)
            {
                if (port == 0)
                {
                    port = FreePort(nodes[0].Address);
                }

                var app = Build(nodes, port, certificate, loggers);
                app.Use((context, next) => holds.InvokeAsync(context, () => next(context)));
                app.MapAgentEndpoints(resolver, authenticator);
                try
                {
                    await app.StartAsync(cancellationToken).ConfigureAwait(false);
                    return new AgentFleet(app, agents, nodes.ToDictionary(n => n.Name, n => n.Address, StringComparer.Ordinal), port, holds);
                }
                catch (IOException e) when (e.InnerException is AddressInUseException && !portIsRequired && attempt < PortAttempts)
                {
                    // Another process took the port on one of the addresses meanwhile: try another.
                    await app.DisposeAsync().ConfigureAwait(false);
                    port = 0;
                }
                catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressNotAvailable })
                {
                    await app.DisposeAsync().ConfigureAwait(false);
                    throw new InvalidOperationException(
                        $"Cannot listen on the simulated nodes' loopback addresses ({nodes[0].Address} …): {e.Message}. "
                        + "Linux routes all of 127.0.0.0/8 to loopback; on macOS add aliases first (sudo ifconfig lo0 alias 127.1.0.1 up, …).",
                        e);
                }
            }
        }
        catch
        {
            foreach (var agent in agents.Values)
            {
                await agent.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        foreach (var agent in _agents.Values)
        {
            await agent.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static WebApplication Build(IReadOnlyList<SimulatedNode> nodes, int port, ServingCertificate certificate, ILoggerFactory loggers)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(AgentFleet).Assembly.GetName().Name });
        builder.Services.AddLogging();
        builder.Services.AddSingleton(loggers);
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = AgentEndpoints.MaxRequestBodyBytes;
            foreach (var node in nodes)
            {
                kestrel.Listen(node.Address, port, listen => listen.UseAgentTls(certificate));
            }
        });
        var app = builder.Build();
        app.UseRouting();
        return app;
    }

    private static int FreePort(IPAddress address)
    {
        using var probe = new TcpListener(address, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
