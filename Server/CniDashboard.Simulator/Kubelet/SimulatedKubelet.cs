using System.Collections.Concurrent;
using System.Net;
using CniDashboard.Shared.Cni;
using CniDashboard.Simulator.Installers;
using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Watch;
using CniDashboard.Simulator.Nodes;
using CniDashboard.Simulator.Scenarios;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace CniDashboard.Simulator.Kubelet;

/// <summary>
/// The kubelets of every simulated node, in one sync loop: places workload pods at a steady rate
/// (bounded per node, old ones removed), asks the <see cref="ContainerRuntime"/> for each pod's
/// sandbox from the node's real files, reports pod status (ContainerCreating, Running, Ready) and
/// aggregated Warning events, retries stuck pods with backoff, runs the CNI installers when their
/// DaemonSet pods start and stop, and keeps each node's Ready condition in step with its CNI config.
/// All its timers run on the injected <see cref="TimeProvider"/>, divided by the time scale.
/// </summary>
public sealed partial class SimulatedKubelet : IAsyncDisposable
{
    private readonly ClusterState _cluster;
    private readonly ContainerRuntime _runtime;
    private readonly IReadOnlyDictionary<string, ICniInstaller> _installers;
    private readonly KubeletSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, NodeState> _nodes;
    private readonly Dictionary<string, PodState> _pods = new(StringComparer.Ordinal);
    private readonly SandboxEventRecorder _events;
    private readonly Random _random;
    private readonly TimeSpan _workloadInterval;
    private readonly ConcurrentQueue<string> _changedFolders = new();
    private readonly ConcurrentDictionary<string, long> _folderChanges = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _passGate = new();
    private readonly List<(DateTimeOffset StartedAt, TaskCompletionSource Done)> _passWaiters = [];
    private PeriodicTimer? _timer;
    private Task? _loop;
    private DateTimeOffset _lastPassStart = DateTimeOffset.MinValue;
    private double _timeScale;
    private long _completedPasses;

    internal SimulatedKubelet(
        ClusterState cluster,
        IEnumerable<SimulatedNode> nodes,
        ContainerRuntime runtime,
        IEnumerable<ICniInstaller> installers,
        KubeletSettings settings,
        TimeProvider time,
        ILogger<SimulatedKubelet> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(settings.TimeScale, 0, nameof(settings));
        _cluster = cluster;
        _runtime = runtime;
        _installers = installers.ToDictionary(i => i.DaemonSet, StringComparer.Ordinal);
        _settings = settings;
        _time = time;
        _logger = logger;
        _timeScale = settings.TimeScale;
        _random = new Random(settings.Seed);
        _events = new SandboxEventRecorder(cluster);
        _nodes = nodes.ToDictionary(n => n.Name, n => new NodeState(n), StringComparer.Ordinal);
        var byRate = TimeSpan.FromSeconds(_nodes.Count / settings.MaxClusterPodRate);
        _workloadInterval = byRate > settings.WorkloadPodInterval ? byRate : settings.WorkloadPodInterval;
        var now = time.GetUtcNow();
        foreach (var node in _nodes.Values)
        {
            // Stagger the nodes so pods do not all arrive in the same second.
            node.NextWorkloadAt = now + Scaled(_workloadInterval * _random.NextDouble());
        }
    }

    /// <summary>Simulated seconds per real second.</summary>
    public double TimeScale => Volatile.Read(ref _timeScale);

    /// <summary>Sync passes completed since start.</summary>
    public long CompletedPasses => Interlocked.Read(ref _completedPasses);

    /// <summary>Starts the sync loop; the first pass runs at once.</summary>
    public void Start()
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The kubelet is already running.");
        }

        var pods = _cluster.Pods.Subscribe();
        var nodes = _cluster.Nodes.Subscribe();
        _timer = new PeriodicTimer(Scaled(_settings.Tick), _time);
        _loop = Task.Run(() => RunAsync(pods, nodes, _timer, _stop.Token));
    }

    /// <summary>Changes the pace: intervals already waited for keep theirs, every new one uses this.</summary>
    public void SetTimeScale(double scale)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(scale, 0);
        Volatile.Write(ref _timeScale, scale);
        if (_timer is { } timer)
        {
            timer.Period = Scaled(_settings.Tick);
        }
    }

    /// <summary>Something changed in the node's CNI or bin folder: the runtime re-reads it, running installers react.</summary>
    public void NotifyFolderChanged(string nodeName)
    {
        _folderChanges.AddOrUpdate(nodeName, 1, (_, count) => count + 1);
        _changedFolders.Enqueue(nodeName);
    }

    /// <summary>
    /// How many folder changes of the node the kubelet has been told about (they take effect at its
    /// next pass). An edit from outside arrives through the file watcher, a moment later: wait for
    /// this to grow before advancing a fake clock past it.
    /// </summary>
    public long FolderChanges(string nodeName) => _folderChanges.GetValueOrDefault(nodeName);

    /// <summary>
    /// Completes once a sync pass that started at or after <paramref name="startedAt"/> (on the
    /// kubelet's clock) has finished: with a fake clock, advance it, then wait for the pass it caused.
    /// </summary>
    public Task WaitForPassAsync(DateTimeOffset startedAt, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_passGate)
        {
            if (_completedPasses > 0 && _lastPassStart >= startedAt)
            {
                return Task.CompletedTask;
            }

            _passWaiters.Add((startedAt, done));
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping is how the loop ends.
            }
        }

        _timer?.Dispose();
        _stop.Dispose();
    }

    private TimeSpan Scaled(TimeSpan simulated) => simulated / TimeScale;

    /// <summary>±20 % around <paramref name="interval"/>, so nodes and pods drift apart like real ones.</summary>
    private TimeSpan Jittered(TimeSpan interval) => interval * (0.8 + (0.4 * _random.NextDouble()));

    private async Task RunAsync(WatchSubscription pods, WatchSubscription nodes, PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            do
            {
                var startedAt = _time.GetUtcNow();
                try
                {
                    Pass(pods, nodes, startedAt);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One bad pass (a file vanishing mid-read, a store conflict) must not stop every node's kubelet.
                    LogPassFailed(e);
                }

                CompletePass(startedAt);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            _cluster.Pods.CloseWatch(pods);
            _cluster.Nodes.CloseWatch(nodes);
        }
    }

    private void CompletePass(DateTimeOffset startedAt)
    {
        List<TaskCompletionSource> done = [];
        lock (_passGate)
        {
            _lastPassStart = startedAt;
            _completedPasses++;
            for (var i = _passWaiters.Count - 1; i >= 0; i--)
            {
                if (_passWaiters[i].StartedAt <= startedAt)
                {
                    done.Add(_passWaiters[i].Done);
                    _passWaiters.RemoveAt(i);
                }
            }
        }

        foreach (var waiter in done)
        {
            waiter.TrySetResult();
        }
    }

    private void Pass(WatchSubscription pods, WatchSubscription nodes, DateTimeOffset now)
    {
        DrainNodes(nodes);
        DrainPods(pods, now);
        DrainFolderChanges();

        foreach (var node in _nodes.Values)
        {
            if (node.Gone)
            {
                continue;
            }

            try
            {
                SyncNode(node, now);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or KubeApiException)
            {
                // One node's folder gone or unwritable must not stall the others; the next pass tries again.
                LogNodeSyncFailed(node.Node.Name, e.Message);
            }
            finally
            {
                // Only for this pass: keeping 5,000 parsed folders between passes would cost more than reading them.
                node.PrimaryThisPass = null;
            }
        }
    }

    private void SyncNode(NodeState node, DateTimeOffset now)
    {
        if (node.NetworkDirty)
        {
            node.NetworkDirty = false;
            ReportNetwork(node, PrimaryOf(node), now);
        }

        if (now >= node.NextWorkloadAt)
        {
            node.NextWorkloadAt = now + Scaled(Jittered(_workloadInterval));
            PlaceWorkloadPod(node, now);
        }

        SyncPods(node, now);
        foreach (var installer in _installers.Values)
        {
            installer.Tick(node.Node, now);
        }
    }

    private void DrainNodes(WatchSubscription nodes)
    {
        while (nodes.Frames.TryRead(out var frame))
        {
            if (frame.Object?.Value is not V1Node node || !_nodes.TryGetValue(node.Metadata.Name, out var state))
            {
                continue;
            }

            state.Gone = frame.Type == WatchEventType.Deleted;
            state.Unschedulable = node.Spec?.Unschedulable == true;
            state.ReportedNetworkReady ??= !NodeObjects.IsNetworkNotReady(node);
        }
    }

    private void DrainPods(WatchSubscription pods, DateTimeOffset now)
    {
        while (pods.Frames.TryRead(out var frame))
        {
            if (frame.Object?.Value is not V1Pod pod)
            {
                continue;
            }

            if (frame.Type == WatchEventType.Deleted)
            {
                if (_pods.Remove(pod.Metadata.Uid, out var gone))
                {
                    OnDeleted(gone);
                }
            }
            else if (!_pods.ContainsKey(pod.Metadata.Uid) && pod.Spec?.NodeName is { } nodeName && _nodes.TryGetValue(nodeName, out var node))
            {
                Track(node, pod, now);
            }
        }
    }

    private void DrainFolderChanges()
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        while (_changedFolders.TryDequeue(out var name))
        {
            changed.Add(name);
        }

        foreach (var name in changed)
        {
            if (!_nodes.TryGetValue(name, out var node))
            {
                continue;
            }

            node.NetworkDirty = true;
            try
            {
                foreach (var installer in _installers.Values)
                {
                    installer.FolderChanged(node.Node);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogNodeSyncFailed(name, e.Message);
            }
        }
    }

    private PodState Track(NodeState node, V1Pod pod, DateTimeOffset now)
    {
        var state = new PodState(node, pod)
        {
            DaemonSet = CniDaemonSets.OwnerOf(pod),
            HostNetwork = pod.Spec.HostNetwork == true,
            NextAttemptAt = now,
            StartTime = pod.Status?.StartTime ?? now.UtcDateTime,
        };
        _pods[pod.Metadata.Uid] = state;
        node.Pods.Add(state);
        if (pod.Status?.Phase == "Running")
        {
            // Already running when this kubelet started (seeded or restored): its process carries on.
            state.Running = true;
            state.Ready = pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
            state.StartedAt = pod.Status.ContainerStatuses?.FirstOrDefault()?.State?.Running?.StartedAt ?? now.UtcDateTime;
            state.PodIp = pod.Status.PodIP ?? node.Node.Address.ToString();
            state.ReadyAt = now;
            if (state.DaemonSet is { } daemonSet && _installers.TryGetValue(daemonSet, out var installer))
            {
                installer.Resume(node.Node, InstallerPodOf(state));
                state.InstallerStarted = true;
            }

        }

        return state;
    }

    private void OnDeleted(PodState pod)
    {
        pod.Node.Pods.Remove(pod);
        _events.Forget(pod.Uid);
        if (pod.InstallerStarted && pod.DaemonSet is { } daemonSet && _installers.TryGetValue(daemonSet, out var installer))
        {
            installer.Stop(pod.Node.Node, InstallerPodOf(pod));
        }
    }

    private void PlaceWorkloadPod(NodeState node, DateTimeOffset now)
    {
        // The scheduler places nothing on a cordoned node or one whose network is not ready (its not-ready taint).
        if (node.Unschedulable || node.ReportedNetworkReady == false)
        {
            return;
        }

        // Only pods this scheduler placed come and go; anyone else's pod stays until its owner deletes it.
        var workloads = node.Pods.Where(p => p.Placed).OrderBy(p => p.StartTime).ToList();
        for (var i = 0; i <= workloads.Count - _settings.MaxWorkloadPodsPerNode; i++)
        {
            Remove(workloads[i]);
        }

        try
        {
            var created = _cluster.Pods.Create(WorkloadPods.For(_random.Next(WorkloadPods.AppCount), node.Node.Name));
            Track(node, created, now).Placed = true;
        }
        catch (KubeApiException e)
        {
            LogPlacementFailed(node.Node.Name, e.Message);
        }
    }

    private void Remove(PodState pod)
    {
        _pods.Remove(pod.Uid);
        OnDeleted(pod);
        try
        {
            _cluster.Pods.Delete(pod.Namespace, pod.Name);
        }
        catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // Already deleted by someone else.
        }
    }

    private void SyncPods(NodeState node, DateTimeOffset now)
    {
        // A copy: starting and removing pods changes the node's list.
        foreach (var pod in node.Pods.ToList())
        {
            if (!pod.Running)
            {
                if (now >= pod.NextAttemptAt)
                {
                    CreateSandbox(node, pod, now);
                }
            }
            else if (!pod.Ready && now >= pod.ReadyAt)
            {
                pod.Ready = true;
                ReportRunning(pod, now);
            }
            else if (pod.FinishAt is { } finish && now >= finish)
            {
                Remove(pod);
            }
        }
    }

    private void CreateSandbox(NodeState node, PodState pod, DateTimeOffset now)
    {
        var outcome = pod.HostNetwork
            ? SandboxOutcome.Success
            : _runtime.SetUpPodNetwork(node.Node, PrimaryOf(node), NewSandboxId(), daemonSet => IsDaemonReady(node, daemonSet));
        if (!outcome.Succeeded)
        {
            pod.Backoff = pod.Backoff == TimeSpan.Zero
                ? _settings.SandboxRetryInitial
                : TimeSpan.FromTicks(Math.Min(pod.Backoff.Ticks * 2, _settings.SandboxRetryMax.Ticks));
            pod.NextAttemptAt = now + Scaled(pod.Backoff);
            if (!pod.ReportedCreating && !SetStatus(pod, PodStatuses.ContainerCreating(pod.Containers, node.Node.Address.ToString(), pod.StartTime, now.UtcDateTime)))
            {
                return;
            }

            pod.ReportedCreating = true;
            _events.Record(new PodReference(pod.Namespace, pod.Name, pod.Uid, pod.ResourceVersion), node.Node.Name, outcome.Reason!, outcome.Message!, now);
            return;
        }

        pod.Running = true;
        pod.StartedAt = now.UtcDateTime;
        pod.PodIp = pod.HostNetwork ? node.Node.Address.ToString() : node.NextPodIp();
        pod.ReadyAt = now + Scaled(_settings.ContainerReadyDelay);
        if (pod.Placed)
        {
            pod.FinishAt = now + Scaled(Jittered(_settings.WorkloadPodLifetime));
        }

        if (!ReportRunning(pod, now))
        {
            return;
        }

        if (pod.DaemonSet is { } daemonSet && _installers.TryGetValue(daemonSet, out var installer))
        {
            pod.InstallerStarted = true;
            installer.Start(node.Node, InstallerPodOf(pod));
        }
    }

    private bool ReportRunning(PodState pod, DateTimeOffset now) =>
        SetStatus(pod, PodStatuses.Running(pod.Uid, pod.Containers, pod.Node.Node.Address.ToString(), pod.PodIp!, pod.StartTime, pod.StartedAt, pod.Ready, now.UtcDateTime));

    /// <summary>Writes the pod's status; false (and the pod forgotten) when it was deleted meanwhile.</summary>
    private bool SetStatus(PodState pod, V1PodStatus status)
    {
        try
        {
            pod.ResourceVersion = _cluster.Pods.Update(pod.Namespace, pod.Name, p =>
            {
                if (p.Metadata.Uid != pod.Uid)
                {
                    throw KubeApiException.Conflict(KubeResource.Pods, pod.Name);
                }

                p.Status = status;
            }).Metadata.ResourceVersion;
            return true;
        }
        catch (KubeApiException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Deleted (or replaced under the same name) since the last pass; its DELETED frame will follow.
            return false;
        }
    }

    private bool IsDaemonReady(NodeState node, string daemonSet) =>
        node.Pods.Any(p => p.DaemonSet == daemonSet && p.Ready);

    private PrimaryConfig PrimaryOf(NodeState node)
    {
        if (node.PrimaryThisPass is { } cached)
        {
            return cached;
        }

        var primary = ContainerRuntime.LoadPrimary(node.Node);
        node.PrimaryThisPass = primary;
        return primary;
    }

    /// <summary>Updates the node's Ready condition when the runtime's network readiness changed.</summary>
    private void ReportNetwork(NodeState node, PrimaryConfig primary, DateTimeOffset now)
    {
        var ready = ContainerRuntime.IsNetworkReady(primary);
        if (node.ReportedNetworkReady == ready)
        {
            return;
        }

        try
        {
            _cluster.Nodes.Update(null, node.Node.Name, n => NodeObjects.SetNetworkReady(n, ready, now.UtcDateTime));
            node.ReportedNetworkReady = ready;
            LogNetworkReadiness(node.Node.Name, ready, primary.FileName ?? "(none)", primary.Error?.Message ?? "");
        }
        catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            node.Gone = true;
        }
    }

    private string NewSandboxId()
    {
        Span<byte> bytes = stackalloc byte[32];
        _random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    private static InstallerPod InstallerPodOf(PodState pod) => new(pod.Name, pod.Uid, pod.Containers.Count > 0 ? pod.Containers[0].Image : "");

    [LoggerMessage(Level = LogLevel.Error, Message = "A kubelet sync pass failed; the next pass carries on")]
    private partial void LogPassFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syncing node {Node} failed; the next pass tries again: {Reason}")]
    private partial void LogNodeSyncFailed(string node, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Placing a workload pod on {Node} failed: {Reason}")]
    private partial void LogPlacementFailed(string node, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} network ready: {Ready} (primary {Primary} {Error})")]
    private partial void LogNetworkReadiness(string node, bool ready, string primary, string error);

    /// <summary>What the kubelet of one node tracks.</summary>
    private sealed class NodeState(SimulatedNode node)
    {
        private int _podIps;

        public SimulatedNode Node { get; } = node;

        public List<PodState> Pods { get; } = [];

        public DateTimeOffset NextWorkloadAt { get; set; }

        public bool Unschedulable { get; set; }

        public bool Gone { get; set; }

        /// <summary>What the node's Ready condition says now; null until the node was seen.</summary>
        public bool? ReportedNetworkReady { get; set; }

        /// <summary>The folder changed (or was never read): re-read it and report readiness.</summary>
        public bool NetworkDirty { get; set; } = true;

        /// <summary>The config as read in this pass; sandboxes of one pass share one read.</summary>
        public PrimaryConfig? PrimaryThisPass { get; set; }

        /// <summary>A pod IP from the node's subnet, as the VPC CNI hands out secondary addresses.</summary>
        public string NextPodIp() => Node.Identity.PodIp(++_podIps);
    }

    /// <summary>What the kubelet tracks of one pod: a few fields, never the pod object (memory stays flat at 5,000 nodes).</summary>
    private sealed class PodState(NodeState node, V1Pod pod)
    {
        public NodeState Node { get; } = node;

        public IReadOnlyList<ContainerRef> Containers { get; } = ContainerRef.Of(pod);

        /// <summary>The version last written, for events' involvedObject.</summary>
        public string? ResourceVersion { get; set; } = pod.Metadata.ResourceVersion;

        public string Uid { get; } = pod.Metadata.Uid;

        public string Name { get; } = pod.Metadata.Name;

        public string Namespace { get; } = pod.Metadata.NamespaceProperty;

        public string? DaemonSet { get; init; }

        public bool HostNetwork { get; init; }

        public DateTime StartTime { get; init; }

        public bool Running { get; set; }

        public bool Ready { get; set; }

        public bool ReportedCreating { get; set; }

        public bool InstallerStarted { get; set; }

        /// <summary>A workload pod this kubelet's scheduler placed: it completes after its lifetime or makes room for newer ones.</summary>
        public bool Placed { get; set; }

        public DateTime StartedAt { get; set; }

        public string? PodIp { get; set; }

        public DateTimeOffset NextAttemptAt { get; set; }

        public TimeSpan Backoff { get; set; }

        public DateTimeOffset ReadyAt { get; set; }

        public DateTimeOffset? FinishAt { get; set; }
    }
}
