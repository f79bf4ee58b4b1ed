using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CniDashboard.Agent.Tls;
using CniDashboard.Simulator.Controllers;
using CniDashboard.Simulator.Installers;
using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.Kubelet;
using CniDashboard.Simulator.Nodes;
using CniDashboard.Simulator.Pki;
using CniDashboard.Simulator.Scenarios;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace CniDashboard.Simulator;

/// <summary>
/// A whole simulated EKS cluster on this machine: the Kubernetes API emulator, the DaemonSet
/// controller, N nodes each with real folders under the data dir and a real agent at its own
/// loopback address, a kubelet that decides every sandbox from those files, and the CNI installers.
/// Start it, point the dashboard at <see cref="KubeconfigPath"/>, <see cref="AgentTokenFile"/>,
/// <see cref="AgentPort"/>, <see cref="AgentCaFile"/> and <see cref="AgentServerName"/>; dispose it to
/// stop (the data dir is kept, and the next start resumes).
/// </summary>
public sealed partial class SimulatedCluster : IAsyncDisposable
{
    private readonly SimulatedKubelet _kubelet;
    private readonly NodeFolderWatcher _watcher;
    private readonly StateSaver _saver;
    private readonly SimulatorPki _pki;
    private readonly Dictionary<string, SimulatedNode> _byName;
    private readonly ILogger _logger;
    private bool _disposed;

    private SimulatedCluster(
        SimulationOptions options,
        KubeApiEmulator emulator,
        DaemonSetController daemonSets,
        AgentFleet agents,
        SimulatedKubelet kubelet,
        NodeFolderWatcher watcher,
        StateSaver saver,
        SimulatorPki pki,
        IReadOnlyList<SimulatedNode> nodes,
        SimulatorState state,
        bool resumed,
        TimeSpan startupTime,
        ILogger logger)
    {
        Emulator = emulator;
        DaemonSets = daemonSets;
        Agents = agents;
        _kubelet = kubelet;
        _watcher = watcher;
        _saver = saver;
        _pki = pki;
        Nodes = nodes;
        _byName = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        Resumed = resumed;
        Seed = state.Seed;
        Scenario = state.Scenario;
        StartupTime = startupTime;
        _logger = logger;
        DataDir = Path.GetFullPath(options.DataDir);
        var simulatorDir = Path.Combine(DataDir, "simulator");
        StatePath = Path.Combine(simulatorDir, "state.json");
        KubeconfigPath = Path.Combine(simulatorDir, "kubeconfig");
        AdminKubeconfigPath = Path.Combine(simulatorDir, "admin.kubeconfig");
        AgentTokenFile = Path.Combine(simulatorDir, "agent-token");
    }

    /// <summary>The Kubernetes API emulator (its <see cref="KubeApiEmulator.Cluster"/> is the cluster's state).</summary>
    public KubeApiEmulator Emulator { get; }

    /// <summary>The cluster's stored objects.</summary>
    public ClusterState Cluster => Emulator.Cluster;

    /// <summary>The DaemonSet controller (<see cref="DaemonSetController.WaitForIdleAsync"/> to wait for its reactions).</summary>
    public DaemonSetController DaemonSets { get; }

    /// <summary>The node agents, one Kestrel on every node's address.</summary>
    public AgentFleet Agents { get; }

    /// <summary>The agents' announcements of their manifest hash on their Pods.</summary>
    public AgentAnnouncements Announcements { get; private init; } = null!;

    /// <summary>The kubelets of all nodes (<see cref="SimulatedKubelet.WaitForPassAsync"/> to wait for a sync pass).</summary>
    public SimulatedKubelet Kubelet => _kubelet;

    /// <summary>Every node, in index order.</summary>
    public IReadOnlyList<SimulatedNode> Nodes { get; }

    /// <summary>True when this start resumed a cluster from the data dir rather than seeding a new one.</summary>
    public bool Resumed { get; }

    /// <summary>The seed the cluster was created with (a resume keeps the original one).</summary>
    public int Seed { get; }

    /// <summary>The scenario the cluster was seeded with.</summary>
    public SimulationScenario Scenario { get; }

    /// <summary>How long <see cref="StartAsync"/> took, from its call until everything listened.</summary>
    public TimeSpan StartupTime { get; }

    /// <summary>Where the start-up time went, phase by phase.</summary>
    public IReadOnlyList<(string Phase, TimeSpan Took)> StartupPhases { get; private init; } = [];

    /// <summary>The data dir (full path).</summary>
    public string DataDir { get; }

    /// <summary>Where the cluster's state is saved.</summary>
    public string StatePath { get; }

    /// <summary>A kubeconfig for the dashboard's ServiceAccount (<c>system:serviceaccount:cni-dashboard:cni-dashboard</c>).</summary>
    public string KubeconfigPath { get; }

    /// <summary>A cluster-admin kubeconfig for people and tools (kubectl); valid while this run lasts.</summary>
    public string AdminKubeconfigPath { get; }

    /// <summary>The file holding the static bearer token every agent accepts.</summary>
    public string AgentTokenFile { get; }

    /// <summary>The port every node's agent listens on, at the node's address (its agent pod's IP).</summary>
    public int AgentPort => Agents.Port;

    /// <summary>The agents' CA certificate (PEM): the dashboard's <c>Dashboard:Poller:AgentCaFile</c>.</summary>
    public string AgentCaFile => _pki.AgentCaFile;

    /// <summary>The fixed DNS name in every agent's certificate: the dashboard's <c>Dashboard:Poller:AgentServerName</c>.</summary>
    public string AgentServerName => SimulatorPki.AgentServerName;

    /// <summary>The cluster CA certificate (PEM) the API server's certificate chains to; the kubeconfigs carry it too.</summary>
    public string ClusterCaFile => _pki.ClusterCaFile;

    /// <summary>Simulated seconds per real second of the kubelet and installers.</summary>
    public double TimeScale => _kubelet.TimeScale;

    /// <summary>
    /// Starts (or resumes, when <see cref="SimulationOptions.DataDir"/> holds a cluster) a simulated
    /// cluster and returns once the API and every agent listen.
    /// </summary>
    public static async Task<SimulatedCluster> StartAsync(SimulationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var stopwatch = Stopwatch.StartNew();
        var phases = new List<(string Phase, TimeSpan Took)>();
        var lap = TimeSpan.Zero;
        void Phase(string name)
        {
            phases.Add((name, stopwatch.Elapsed - lap));
            lap = stopwatch.Elapsed;
        }
        var loggers = options.LoggerFactory;
        var logger = loggers.CreateLogger<SimulatedCluster>();
        var dataDir = Path.GetFullPath(options.DataDir);
        var nodesDir = Path.Combine(dataDir, "nodes");
        var simulatorDir = Path.Combine(dataDir, "simulator");
        Directory.CreateDirectory(nodesDir);
        Directory.CreateDirectory(simulatorDir);
        var statePath = Path.Combine(simulatorDir, "state.json");

        var saved = SimulatorStateFile.Load(statePath);
        var state = saved is null
            ? new SimulatorState { Seed = options.Seed, Scenario = options.Scenario, TokenSigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }
            : saved with { Runs = saved.Runs + 1 };
        var nodes = PlanNodes(options, state, nodesDir);

        await using var cleanup = new StartupCleanup();
        var pki = SimulatorPki.Open(Path.Combine(simulatorDir, "pki"));
        cleanup.Add(pki);
        var emulator = await KubeApiEmulator.StartAsync(
            new KubeApiEmulatorOptions
            {
                ClusterCa = pki.ClusterCa,
                TimeProvider = options.TimeProvider,
                LoggerFactory = loggers,
                Port = options.ApiPort,
                Seed = RunSeed(state),
                TokenSigningKey = Convert.FromBase64String(state.TokenSigningKey),
                RunDaemonSetController = false,
                WatchHistoryCapacity = options.WatchHistoryCapacity,
            },
            cancellationToken).ConfigureAwait(false);
        cleanup.Add(emulator);
        Phase("API server");

        var templates = new PodTemplateHistory();
        var seeder = new ClusterSeeder(emulator.Cluster, emulator.Tokens, templates, SeederSeed(state), Path.Combine(simulatorDir, "plugin-binaries"), loggers.CreateLogger<ClusterSeeder>());
        if (saved is null)
        {
            seeder.SeedCluster(nodes, state.Scenario, options.CiliumExclusive);
            Phase("seed objects");
            seeder.WriteSeededFiles(nodes);
        }
        else
        {
            ClusterRestorer.Restore(emulator.Cluster, saved, nodes, templates);
            foreach (var added in nodes.Where(n => n.Identity.Uid is null))
            {
                seeder.AddHealthyNode(added);
            }
        }

        Phase(saved is null ? "seed files" : "restore objects");

        var agentToken = AgentToken(Path.Combine(simulatorDir, "agent-token"));
        emulator.WriteKubeconfig(Path.Combine(simulatorDir, "kubeconfig"), emulator.IssueToken(KubeIdentities.DashboardServiceAccount));
        emulator.WriteKubeconfig(Path.Combine(simulatorDir, "admin.kubeconfig"), emulator.AdminToken);
        RestrictToOwner(Path.Combine(simulatorDir, "kubeconfig"));
        RestrictToOwner(Path.Combine(simulatorDir, "admin.kubeconfig"));

        var daemonSets = new DaemonSetController(emulator.Cluster, loggers.CreateLogger<DaemonSetController>());
        daemonSets.Start();
        cleanup.Add(daemonSets);

        var agents = await AgentFleet.StartAsync(
            nodes,
            agentToken,
            ServingCertificate.Load(pki.AgentCertFile, pki.AgentKeyFile, options.TimeProvider, loggers.CreateLogger<ServingCertificate>()),
            options.AgentPort != 0 ? options.AgentPort : state.AgentPort,
            portIsRequired: options.AgentPort != 0,
            options.TimeProvider,
            loggers,
            cancellationToken).ConfigureAwait(false);
        cleanup.Add(agents);
        state = state with { AgentPort = agents.Port };
        Phase("agents (one per node) listening");

        // An installer's write reaches the agent and the runtime at once, not only through the watcher.
        SimulatedKubelet? kubeletOfWrites = null;
        void Written(SimulatedNode node)
        {
            agents.Invalidate(node.Name);
            kubeletOfWrites?.NotifyFolderChanged(node.Name);
        }

        var nodeUids = nodes.ToDictionary(n => n.Name, n => n.Identity.Uid, StringComparer.Ordinal);
        var settings = new KubeletSettings
        {
            Tick = options.KubeletTick,
            WorkloadPodInterval = options.WorkloadPodInterval,
            WorkloadPodLifetime = options.WorkloadPodLifetime,
            MaxWorkloadPodsPerNode = options.MaxWorkloadPodsPerNode,
            MaxClusterPodRate = options.MaxClusterPodRate,
            SandboxRetryInitial = options.SandboxRetryInitial,
            SandboxRetryMax = options.SandboxRetryMax,
            ContainerReadyDelay = options.ContainerReadyDelay,
            Seed = state.Seed,
            TimeScale = options.TimeScale,
        };
        ICniInstaller[] installers =
        [
            new AwsNodeInstaller(Written, loggers.CreateLogger<AwsNodeInstaller>()),
            new CiliumInstaller(
                () => CiliumConfig.IsExclusive(emulator.Cluster.ConfigMaps.Get(CiliumConfig.Namespace, CiliumConfig.Name)),
                Written,
                loggers.CreateLogger<CiliumInstaller>()),
            new LinkerdCniInstaller(
                emulator.Tokens,
                name => nodeUids.GetValueOrDefault(name),
                settings.TokenRefreshInterval,
                () => kubeletOfWrites?.TimeScale ?? options.TimeScale,
                Written,
                loggers.CreateLogger<LinkerdCniInstaller>()),
        ];
        var kubelet = new SimulatedKubelet(
            emulator.Cluster,
            nodes,
            new ContainerRuntime(token => emulator.Authenticate(token)),
            installers,
            settings,
            options.TimeProvider,
            loggers.CreateLogger<SimulatedKubelet>());
        cleanup.Add(kubelet);
        kubeletOfWrites = kubelet;

        var watcher = new NodeFolderWatcher(
            nodesDir,
            name =>
            {
                agents.Invalidate(name);
                kubelet.NotifyFolderChanged(name);
            },
            () =>
            {
                agents.InvalidateAll();
                foreach (var node in nodes)
                {
                    kubelet.NotifyFolderChanged(node.Name);
                }
            },
            logger);
        cleanup.Add(watcher);

        // Each agent announces its manifest hash on its own Pod through the API, as in a cluster.
        var announcements = AgentAnnouncements.Start(emulator, agents, nodes, options.TimeProvider, loggers);
        cleanup.Add(announcements);
        Phase("agent announcements");

        var saver = new StateSaver(emulator.Cluster, nodes, templates, statePath, state, options.StateSaveInterval, loggers.CreateLogger<StateSaver>());
        Phase("kubelet and folder watcher");
        saver.Save();
        Phase("state saved");
        kubelet.Start();
        saver.Start();
        cleanup.Dismiss();

        var startupTime = stopwatch.Elapsed;
        var cluster = new SimulatedCluster(options, emulator, daemonSets, agents, kubelet, watcher, saver, pki, nodes, state, saved is not null, startupTime, logger)
        {
            StartupPhases = phases,
            Announcements = announcements,
        };
        cluster.LogStarted(nodes.Count, saved is null ? "seeded" : "resumed", state.Scenario, emulator.BaseAddress, agents.Port, startupTime.TotalMilliseconds);
        return cluster;
    }

    /// <summary>The node named <paramref name="name"/>.</summary>
    public SimulatedNode Node(string name) =>
        _byName.TryGetValue(name, out var node) ? node : throw new KeyNotFoundException($"no simulated node {name}");

    /// <summary>The nodes the scenario gave <paramref name="role"/>.</summary>
    public IReadOnlyList<SimulatedNode> NodesWithRole(NodeRole role) => [.. Nodes.Where(n => n.Role == role)];

    /// <summary>The agent's base URL for a node, e.g. <c>https://127.1.0.3:41234/</c> (as the dashboard builds it from the pod IP).</summary>
    public Uri AgentUrl(string nodeName) => new($"https://{Node(nodeName).Address}:{AgentPort}/");

    /// <summary>
    /// A handler for clients of the agents (tests, tools) that checks them as the dashboard does:
    /// chained to the agents' CA and issued for <see cref="AgentServerName"/>, whatever address was dialled.
    /// </summary>
    public SocketsHttpHandler CreateAgentHandler()
    {
        var authority = X509CertificateLoader.LoadCertificateFromFile(_pki.AgentCaFile);
        var serverName = AgentServerName;
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(authority);
        return new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = policy,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => IsAgentCertificate(certificate, errors, serverName),
            },
        };
    }

    /// <summary>Agents are dialled by IP and named by the fixed DNS name: the IP's absence from the certificate is the one error allowed.</summary>
    private static bool IsAgentCertificate(X509Certificate? certificate, SslPolicyErrors errors, string serverName)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) != SslPolicyErrors.None) return false;
        using var shown = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return shown.MatchesHostname(serverName, allowWildcards: false, allowCommonName: false);
    }

    /// <summary>The node's pod of a DaemonSet (the newest, should there be two), or null.</summary>
    public V1Pod? DaemonSetPod(string nodeName, string daemonSet)
    {
        var @namespace = CniDaemonSets.All.FirstOrDefault(d => d.Name == daemonSet).Namespace
            ?? throw new ArgumentOutOfRangeException(nameof(daemonSet), daemonSet, "not a DaemonSet of the simulated cluster");
        return Cluster.Pods.List(@namespace, fieldSelector: $"spec.nodeName={nodeName}")
            .Where(p => CniDaemonSets.OwnerOf(p) == daemonSet)
            .OrderByDescending(p => p.Metadata.CreationTimestamp)
            .FirstOrDefault();
    }

    /// <summary>
    /// Deletes the node's pod of <paramref name="daemonSet"/>, as <c>kubectl delete pod</c> would: its
    /// installer shuts down, and the DaemonSet controller creates a replacement. Returns the deleted pod.
    /// </summary>
    public async Task<V1Pod> RestartPodAsync(string nodeName, string daemonSet, CancellationToken cancellationToken = default)
    {
        var pod = DaemonSetPod(nodeName, daemonSet) ?? throw new InvalidOperationException($"no {daemonSet} pod on {nodeName}");
        var deleted = Cluster.Pods.Delete(pod.Metadata.NamespaceProperty, pod.Metadata.Name);
        await DaemonSets.WaitForIdleAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    /// <summary>
    /// Sets <c>cni-exclusive</c> in Cilium's ConfigMap (<c>kube-system/cilium-config</c>), as a
    /// <c>helm upgrade --set cni.exclusive=…</c> would; re-creates the ConfigMap if it was deleted.
    /// Watchers see the change at once; Cilium pods act on it when they next start.
    /// </summary>
    public V1ConfigMap SetCiliumExclusive(bool exclusive)
    {
        if (Cluster.ConfigMaps.Get(CiliumConfig.Namespace, CiliumConfig.Name) is null)
        {
            return Cluster.ConfigMaps.Create(CiliumConfig.Create(exclusive));
        }

        return Cluster.ConfigMaps.Update(CiliumConfig.Namespace, CiliumConfig.Name, c =>
        {
            c.Data ??= new Dictionary<string, string>();
            c.Data[CiliumConfig.ExclusiveKey] = CiliumConfig.Flag(exclusive);
        });
    }

    /// <summary>
    /// kured takes its reboot lock for <paramref name="node"/>, as it does before draining and rebooting
    /// it: the <c>weave.works/kured-node-lock</c> annotation on <c>kube-system/kured</c>. Watchers see it at once.
    /// </summary>
    public V1DaemonSet SetKuredLock(string node) =>
        Cluster.DaemonSets.Update(KuredDaemonSet.Namespace, KuredDaemonSet.Name, d =>
        {
            d.Metadata.Annotations ??= new Dictionary<string, string>();
            d.Metadata.Annotations[KuredDaemonSet.LockAnnotation] = KuredDaemonSet.LockValue(node, Cluster.TimeProvider.GetUtcNow(), Cluster.Nodes.Get(node)?.Spec?.Unschedulable == true);
        });

    /// <summary>kured releases its lock (the annotation is removed, as kured does after the reboot).</summary>
    public V1DaemonSet ReleaseKuredLock() =>
        Cluster.DaemonSets.Update(KuredDaemonSet.Namespace, KuredDaemonSet.Name, d => d.Metadata.Annotations?.Remove(KuredDaemonSet.LockAnnotation));

    /// <summary>The node holding kured's lock now, or null.</summary>
    public string? KuredLockHolder
    {
        get
        {
            var annotations = Cluster.DaemonSets.Get(KuredDaemonSet.Namespace, KuredDaemonSet.Name)?.Metadata.Annotations;
            var value = annotations is not null && annotations.TryGetValue(KuredDaemonSet.LockAnnotation, out var held) ? held : null;
            return Shared.Remediation.KuredLock.Holder(value, Cluster.TimeProvider.GetUtcNow());
        }
    }

    /// <summary>Changes how fast the kubelet and installers run (simulated seconds per real second).</summary>
    public void SetTimeScale(double scale) => _kubelet.SetTimeScale(scale);

    /// <summary>Saves the state now (it is also saved when DaemonSet pods change, periodically and on dispose).</summary>
    public void SaveState() => _saver.Save();

    /// <summary>Stops everything, saving the state first; the data dir stays for the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _kubelet.DisposeAsync().ConfigureAwait(false);
        _watcher.Dispose();
        await _saver.DisposeAsync().ConfigureAwait(false);
        try
        {
            _saver.Save();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogFinalSaveFailed(e.Message);
        }

        await DaemonSets.DisposeAsync().ConfigureAwait(false);
        await Announcements.DisposeAsync().ConfigureAwait(false);
        await Agents.DisposeAsync().ConfigureAwait(false);
        await Emulator.DisposeAsync().ConfigureAwait(false);
        _pki.Dispose();
        LogStopped(DataDir);
    }

    private static List<SimulatedNode> PlanNodes(SimulationOptions options, SimulatorState state, string nodesDir)
    {
        var saved = state.Nodes.ToDictionary(n => n.Index);
        var roles = state.Nodes.Count == 0
            ? ScenarioPlan.Roles(state.Scenario, options.NodeCount, state.Seed)
            : [.. Enumerable.Range(0, options.NodeCount).Select(i => saved.TryGetValue(i, out var node) ? node.Role : NodeRole.Healthy)];
        var identities = NodeIdentity.Plan(options.NodeCount, state.Seed, options.AddressBase, roles);
        foreach (var identity in identities)
        {
            if (saved.TryGetValue(identity.Index, out var record))
            {
                if (record.Name != identity.Name)
                {
                    throw new InvalidDataException($"The saved cluster's node {identity.Index} is {record.Name}, not {identity.Name}: the state file does not belong to this layout.");
                }

                identity.Uid = record.Uid;
            }
        }

        return [.. identities.Select(i => new SimulatedNode(i, nodesDir))];
    }

    /// <summary>
    /// The seed of names and uids in this run: the cluster's seed on the first run (so a fresh
    /// cluster replays exactly), varied on each resume so new objects never take a restored uid.
    /// </summary>
    private static int RunSeed(SimulatorState state) => unchecked((state.Seed * 31) + (state.Runs * 1_000_003));

    /// <summary>
    /// The seed of the uids the seeder gives the objects it restores. Not the API server's: two
    /// generators on one seed draw the same uids, and a pod the controller created later would get the
    /// uid of a seeded one (the kubelet, which tracks pods by uid, would then never run it).
    /// </summary>
    private static int SeederSeed(SimulatorState state) => unchecked((RunSeed(state) * 7919) + 104_729);

    /// <summary>The agents' static token: kept in the data dir, so a resumed cluster's dashboard keeps working.</summary>
    private static string AgentToken(string path)
    {
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: >= 32 } existing)
        {
            return existing;
        }

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(path, token + "\n");
        RestrictToOwner(path);
        return token;
    }

    private static void RestrictToOwner(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulated cluster {How}: {Nodes} nodes, scenario {Scenario}, API {Api}, agents on port {AgentPort}, started in {Milliseconds:0} ms")]
    private partial void LogStarted(int nodes, string how, SimulationScenario scenario, Uri api, int agentPort, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulated cluster stopped; its data stays in {DataDir}")]
    private partial void LogStopped(string dataDir);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving the simulator state on shutdown failed: {Reason}")]
    private partial void LogFinalSaveFailed(string reason);

    /// <summary>Disposes what a failed start had already started, in reverse order.</summary>
    private sealed class StartupCleanup : IAsyncDisposable
    {
        private readonly List<object> _started = [];
        private bool _dismissed;

        public void Add(object started) => _started.Add(started);

        public void Dismiss() => _dismissed = true;

        public async ValueTask DisposeAsync()
        {
            if (_dismissed)
            {
                return;
            }

            for (var i = _started.Count - 1; i >= 0; i--)
            {
                switch (_started[i])
                {
                    case IAsyncDisposable asyncDisposable:
                        await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                        break;
                    case IDisposable disposable:
                        disposable.Dispose();
                        break;
                }
            }
        }
    }
}
