using System.Net;
using System.Net.Sockets;
using CniDashboard.Agent.Auth;
using CniDashboard.Agent.Http;
using CniDashboard.Agent.Node;
using CniDashboard.Agent.Tls;
using CniDashboard.Server.Cluster;

namespace CniDashboard.Server.Tests.Support;

/// <summary>
/// Real node agents (the product's agent code) on loopback, one Kestrel per node at its own pod IP
/// (127.x.y.z) and a shared port, each serving a real folder — over plain HTTP, or over TLS with a
/// serving certificate (the farm's, or the node's own). A node's agent can be stopped and started
/// again, also with another certificate, to play an agent that goes down or changes.
/// </summary>
public sealed class AgentFarm : IAsyncDisposable
{
    private static int _nextSubnet;
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly TempDir _dir = new();
    private readonly int _subnet = Interlocked.Increment(ref _nextSubnet);

    public AgentFarm(string token = "farm-token", ServingCertificate? certificate = null)
    {
        Token = token;
        Certificate = certificate;
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
    }

    public int Port { get; }

    public string Token { get; }

    /// <summary>The certificate agents serve TLS with, unless a node has its own; null serves plain HTTP.</summary>
    public ServingCertificate? Certificate { get; }

    public string Root => _dir.Path;

    /// <summary>Adds a node whose folder starts as a copy of a reference folder; its agent is started.</summary>
    public async Task<string> AddAsync(string nodeName, string fixture, ServingCertificate? certificate = null)
    {
        var index = _nodes.Count + 1;
        var ip = $"127.{100 + (_subnet % 100)}.{index / 250}.{(index % 250) + 1}";
        var folder = Fixtures.CopyFolder(fixture, Path.Combine(_dir.Path, nodeName, "net.d"));
        var agent = new NodeAgent(new NodeAgentOptions
        {
            NodeName = nodeName,
            CniDir = folder,
            BackupDir = Path.Combine(_dir.Path, nodeName, "backups"),
            WatchFolder = false,
            RescanInterval = Timeout.InfiniteTimeSpan,
        });
        var node = new Node(nodeName, ip, folder, agent) { Certificate = certificate ?? Certificate };
        _nodes[nodeName] = node;
        await StartAsync(nodeName);
        return ip;
    }

    public string Folder(string nodeName) => _nodes[nodeName].Folder;

    public string Ip(string nodeName) => _nodes[nodeName].Ip;

    /// <summary>Lets a node's agent see a change made to its folder directly.</summary>
    public void Invalidate(string nodeName) => _nodes[nodeName].Agent.Invalidate();

    /// <summary>Changes a file on a node and lets its agent see it.</summary>
    public async Task EditAsync(string nodeName, string file, Func<string, string> edit)
    {
        var node = _nodes[nodeName];
        var path = Path.Combine(node.Folder, file);
        await File.WriteAllTextAsync(path, edit(await File.ReadAllTextAsync(path)));
        node.Agent.Invalidate();
    }

    /// <summary>Starts the node's agent; <paramref name="certificate"/> replaces the one it serves (TLS from then on).</summary>
    public async Task StartAsync(string nodeName, ServingCertificate? certificate = null)
    {
        var node = _nodes[nodeName];
        if (certificate is not null) node.Certificate = certificate;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(node.Ip), Port, listen =>
        {
            if (node.Certificate is { } tls) listen.UseAgentTls(tls);
        }));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapAgentEndpoints(new SingleNodeResolver(node.Agent), new StaticTokenAuthenticator(Token));
        await app.StartAsync();
        node.App = app;
    }

    /// <summary>Starts the node's agent serving plain HTTP, as an agent started without --tls-cert does.</summary>
    public Task StartPlainAsync(string nodeName)
    {
        _nodes[nodeName].Certificate = null;
        return StartAsync(nodeName);
    }

    public async Task StopAsync(string nodeName)
    {
        var node = _nodes[nodeName];
        if (node.App is { } app)
        {
            await app.StopAsync();
            await app.DisposeAsync();
            node.App = null;
        }
    }

    /// <summary>Puts every node and its agent pod into the dashboard's cluster state, as the watches would.</summary>
    public void Register(ClusterState cluster, string nodeGroup = "ng-general")
    {
        foreach (var node in _nodes.Values)
        {
            cluster.UpsertNode(new NodeFacts { Name = node.Name, NodeGroup = nodeGroup, OsImage = "Bottlerocket OS 1.29.0 (aws-k8s-1.31)", NetworkReady = true });
            cluster.UpsertPod(AgentPod(node.Name));
        }
    }

    /// <summary>The node's agent pod as the watch maps it: ready unless told, with the hash its annotation announces.</summary>
    public CniPodFacts AgentPod(string nodeName, string? announcedHash = null, bool ready = true) => new()
    {
        Namespace = "cni-dashboard",
        Name = $"cni-dashboard-agent-{nodeName}",
        Component = "cni-dashboard-agent",
        IsAgent = true,
        DaemonSet = "cni-dashboard-agent",
        Node = nodeName,
        PodIp = _nodes[nodeName].Ip,
        Phase = "Running",
        Ready = ready,
        AnnouncedManifestHash = announcedHash,
    };

    /// <summary>The manifest hash the node's agent serves now.</summary>
    public async Task<string> ServedHashAsync(string nodeName) =>
        (await _nodes[nodeName].Agent.GetSnapshotAsync(CancellationToken.None)).Snapshot.ManifestHash;

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _nodes.Keys.ToArray()) await StopAsync(name);
        foreach (var node in _nodes.Values) await node.Agent.DisposeAsync();
        _dir.Dispose();
    }

    private sealed class Node(string name, string ip, string folder, NodeAgent agent)
    {
        public string Name { get; } = name;
        public string Ip { get; } = ip;
        public string Folder { get; } = folder;
        public NodeAgent Agent { get; } = agent;
        public WebApplication? App { get; set; }
        public ServingCertificate? Certificate { get; set; }
    }
}
