using CniDashboard.Simulator.Controllers;
using CniDashboard.Simulator.Installers;
using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.Kubelet;
using CniDashboard.Simulator.Nodes;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace CniDashboard.Simulator.Scenarios;

/// <summary>
/// Builds a cluster in the state a scenario describes, as if it had been running for days: nodes,
/// Cilium's ConfigMap, the CNI DaemonSets and their pods (created directly, as the controller and kubelet would have),
/// and each node's real files. In the incident, the linkerd-cni DaemonSet was upgraded from v1.6.0:
/// on the incident nodes the old pod was deleted (its broken cleanup left its entries and its now
/// revoked token) and its replacement waits for a sandbox; everywhere else v1.6.0 still runs,
/// because the stuck pods used up the rollout's maxUnavailable.
/// </summary>
internal sealed partial class ClusterSeeder
{
    private static readonly TimeSpan ClusterAge = TimeSpan.FromDays(9);
    private static readonly TimeSpan IncidentAge = TimeSpan.FromMinutes(40);

    private readonly ClusterState _cluster;
    private readonly TokenAuthority _tokens;
    private readonly PodTemplateHistory _templates;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly DateTime _now;
    private readonly Dictionary<(string DaemonSet, string? Hash), (V1DaemonSet DaemonSet, string Hash)> _shaped = [];
    private readonly string _sharedBinDir;
    private List<string>? _pendingTokens;

    /// <param name="cluster">The API server's objects.</param>
    /// <param name="tokens">Issues the linkerd-cni tokens written into kubeconfigs.</param>
    /// <param name="templates">Records every DaemonSet template pods are created from.</param>
    /// <param name="seed">Seeds the uids.</param>
    /// <param name="sharedBinDir">Where the plugin stand-ins that nodes' bin folders link to are kept.</param>
    /// <param name="logger">For what was seeded.</param>
    public ClusterSeeder(ClusterState cluster, TokenAuthority tokens, PodTemplateHistory templates, int seed, string sharedBinDir, ILogger logger)
    {
        _sharedBinDir = sharedBinDir;
        _cluster = cluster;
        _tokens = tokens;
        _templates = templates;
        _logger = logger;
        _random = new Random(seed);
        var now = cluster.TimeProvider.GetUtcNow().UtcDateTime;
        _now = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    /// <summary>The namespaces every simulated cluster has, seeded or resumed.</summary>
    public static void EnsureNamespaces(ClusterState cluster)
    {
        foreach (var (@namespace, _) in CniDaemonSets.All)
        {
            cluster.EnsureNamespace(@namespace);
        }

        // Every cluster has it: Events about nodes live there.
        cluster.EnsureNamespace("default");

        foreach (var @namespace in WorkloadPods.Namespaces)
        {
            cluster.EnsureNamespace(@namespace);
        }
    }

    /// <summary>
    /// Seeds a whole new cluster of <paramref name="nodes"/> for <paramref name="scenario"/>, with
    /// Cilium's <c>cni-exclusive</c> set to <paramref name="ciliumExclusive"/>.
    /// </summary>
    public void SeedCluster(IReadOnlyList<SimulatedNode> nodes, SimulationScenario scenario, bool ciliumExclusive = false)
    {
        EnsureNamespaces(_cluster);
        _cluster.ConfigMaps.Create(CiliumConfig.Create(ciliumExclusive));
        _cluster.ConfigMaps.Create(AuditCheckpointConfigMap.Create());
        var born = _now - ClusterAge;
        foreach (var node in nodes)
        {
            CreateNode(node, born.AddSeconds(node.Identity.Index));
        }

        var incidents = nodes.Count(n => n.Role == NodeRole.Incident);
        foreach (var (_, name) in CniDaemonSets.All.Where(d => d.Name != CniDaemonSets.LinkerdCni))
        {
            _templates.Remember(_cluster.DaemonSets.Create(CniDaemonSets.Create(name)));
        }

        string? oldLinkerdHash = null;
        if (scenario == SimulationScenario.Incident)
        {
            // The v1.6.0 install, then the upgrade: a new template, generation 2.
            var v160 = _cluster.DaemonSets.Create(CniDaemonSets.Create(CniDaemonSets.LinkerdCni, CniDaemonSets.LinkerdCniBrokenImage, Math.Max(1, incidents)));
            oldLinkerdHash = _templates.Remember(v160);
            _templates.Remember(_cluster.DaemonSets.Update(CniDaemonSets.LinkerdNamespace, CniDaemonSets.LinkerdCni, d =>
            {
                var upgraded = CniDaemonSets.Create(CniDaemonSets.LinkerdCni, CniDaemonSets.LinkerdCniImage, Math.Max(1, incidents));
                d.Spec.Template = upgraded.Spec.Template;
            }));
        }
        else
        {
            _templates.Remember(_cluster.DaemonSets.Create(CniDaemonSets.Create(CniDaemonSets.LinkerdCni)));
        }

        // Objects one node at a time (the store has one lock anyway); the files later, all nodes in parallel.
        _pendingTokens = [.. nodes.Select(node => SeedNode(node, node.Role, oldLinkerdHash))];

        LogSeeded(nodes.Count, scenario, incidents, nodes.Count(n => n.Role == NodeRole.Drift));
    }

    /// <summary>Writes the files of the nodes <see cref="SeedCluster"/> seeded, in parallel (each node's folders are its own).</summary>
    public void WriteSeededFiles(IReadOnlyList<SimulatedNode> nodes)
    {
        var tokens = _pendingTokens ?? throw new InvalidOperationException("SeedCluster first.");
        Parallel.For(0, nodes.Count, i => WriteFiles(nodes[i], nodes[i].Role, tokens[i]));
        _pendingTokens = null;
    }

    /// <summary>Adds a node to a running (resumed) cluster: healthy, with the DaemonSets' current templates.</summary>
    public void AddHealthyNode(SimulatedNode node)
    {
        CreateNode(node, _now);
        WriteFiles(node, NodeRole.Healthy, SeedNode(node, NodeRole.Healthy, oldLinkerdHash: null));
    }

    private void CreateNode(SimulatedNode node, DateTime createdAt)
    {
        node.CreateFolders();
        var created = _cluster.Nodes.Restore(NodeObjects.Create(node.Identity, createdAt));
        node.Identity.Uid = created.Metadata.Uid;
    }

    /// <summary>Creates the node's DaemonSet pods as the scenario has them; returns the token its linkerd-cni kubeconfig holds.</summary>
    private string SeedNode(SimulatedNode node, NodeRole role, string? oldLinkerdHash)
    {
        var joined = _cluster.Nodes.Get(node.Name)!.Metadata.CreationTimestamp!.Value;
        foreach (var (_, name) in CniDaemonSets.All.Where(d => d.Name != CniDaemonSets.LinkerdCni))
        {
            CreatePod(name, null, node, joined.AddSeconds(20), running: true);
        }

        string token;
        if (role == NodeRole.Incident)
        {
            // The v1.6.0 pod that wrote the files, deleted by the rollout: its token died with it.
            var old = CreatePod(CniDaemonSets.LinkerdCni, oldLinkerdHash, node, joined.AddSeconds(30), running: true);
            token = LinkerdCniInstaller.IssueToken(_tokens, old.Metadata.Name, old.Metadata.Uid, node.Name, node.Identity.Uid);
            _cluster.Pods.Delete(old.Metadata.NamespaceProperty, old.Metadata.Name);
            CreatePod(CniDaemonSets.LinkerdCni, null, node, _now - IncidentAge, running: false);
        }
        else
        {
            var current = CreatePod(CniDaemonSets.LinkerdCni, oldLinkerdHash, node, joined.AddSeconds(30), running: true);
            token = LinkerdCniInstaller.IssueToken(_tokens, current.Metadata.Name, current.Metadata.Uid, node.Name, node.Identity.Uid);
        }

        return token;
    }

    /// <summary>A pod of the DaemonSet on the node, from the template of <paramref name="hash"/> (null: the current one).</summary>
    private V1Pod CreatePod(string daemonSetName, string? hash, SimulatedNode node, DateTime createdAt, bool running)
    {
        var (shaped, revision) = Shaped(daemonSetName, hash);
        var pod = DaemonSetPods.For(shaped, node.Name, revision);
        pod.Metadata.Uid = NewUid();
        pod.Metadata.CreationTimestamp = createdAt;
        if (running)
        {
            var podIp = pod.Spec.HostNetwork == true ? node.Address.ToString() : node.Identity.PodIp(1);
            pod.Status = PodStatuses.Running(pod.Metadata.Uid, ContainerRef.Of(pod), node.Address.ToString(), podIp, createdAt, createdAt.AddSeconds(4), ready: true, createdAt.AddSeconds(9));
        }

        return _cluster.Pods.Restore(pod);
    }

    /// <summary>The DaemonSet as it was at revision <paramref name="hash"/> (null: now), and that revision's hash; cached per revision.</summary>
    private (V1DaemonSet DaemonSet, string Hash) Shaped(string daemonSetName, string? hash)
    {
        var key = (daemonSetName, hash);
        if (_shaped.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var @namespace = CniDaemonSets.All.First(d => d.Name == daemonSetName).Namespace;
        var daemonSet = _cluster.DaemonSets.Get(@namespace, daemonSetName)!;
        var revision = hash ?? _templates.Remember(daemonSet);
        var (template, generation) = _templates.Find(@namespace, daemonSetName, revision)
            ?? throw new InvalidOperationException($"no template {revision} of {daemonSetName}");
        daemonSet.Spec.Template = template;
        daemonSet.Metadata.Generation = generation;
        _shaped[key] = (daemonSet, revision);
        return (daemonSet, revision);
    }

    /// <summary>The node's files as the scenario has them; thread-safe (touches only this node's folders and logs).</summary>
    private void WriteFiles(SimulatedNode node, NodeRole role, string token)
    {
        PluginBinaries.Seed(node.BinDir, PluginBinaries.BaseOs, "the OS image", _sharedBinDir);
        PluginBinaries.Seed(node.BinDir, PluginBinaries.AwsNode, "aws-node", _sharedBinDir);
        PluginBinaries.Seed(node.BinDir, [PluginBinaries.Cilium], "cilium", _sharedBinDir);
        PluginBinaries.Seed(node.BinDir, [PluginBinaries.LinkerdCni], "linkerd-cni", _sharedBinDir);
        if (Directory.EnumerateFileSystemEntries(node.CniDir).Any())
        {
            // A folder from an earlier run is the node's truth: never overwrite it.
            LogKeptFolder(node.Name);
            return;
        }

        var (cilium, aws) = role == NodeRole.Incident
            ? (ScenarioTemplates.IncidentCilium, ScenarioTemplates.IncidentAws)
            : (ScenarioTemplates.HealthyCilium, ScenarioTemplates.HealthyAws);
        // Nothing reads the folder yet: plain creates, no temp files.
        NodeFileWriter.Create(node.CniDir, CiliumInstaller.ConfigFileName, cilium, NodeFileWriter.ConfigMode);
        NodeFileWriter.Create(node.CniDir, AwsNodeInstaller.ConfigFileName, aws, NodeFileWriter.ConfigMode);
        NodeFileWriter.Create(node.CniDir, LinkerdCniInstaller.KubeconfigFileName, LinkerdCniInstaller.Kubeconfig(token), NodeFileWriter.SecretMode);
        if (role == NodeRole.Drift)
        {
            // Cilium once ran with cni-exclusive=true and renamed aws-node's file; aws-node wrote a new one, the backup stayed.
            NodeFileWriter.Create(node.CniDir, AwsNodeInstaller.ConfigFileName + CiliumInstaller.BackupSuffix, ScenarioTemplates.HealthyAws, NodeFileWriter.ConfigMode);
        }
    }

    private string NewUid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Nodes} nodes for the {Scenario} scenario: {Incidents} incident, {Drift} drift")]
    private partial void LogSeeded(int nodes, SimulationScenario scenario, int incidents, int drift);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} already has CNI files from an earlier run; they are kept as they are")]
    private partial void LogKeptFolder(string node);
}
