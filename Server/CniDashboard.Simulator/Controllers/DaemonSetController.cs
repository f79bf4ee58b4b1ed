using System.Net;
using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Store;
using CniDashboard.Simulator.KubeApi.Watch;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniDashboard.Simulator.Controllers;

/// <summary>
/// The DaemonSet controller of the simulated control plane: one pod per eligible node, re-created
/// when deleted, replaced one node at a time on a template change, with the status the real
/// controller reports. It creates pods Pending and never decides their phase or readiness: the
/// simulated kubelet does that through <see cref="ClusterState.SetPodStatus"/>.
/// </summary>
public sealed partial class DaemonSetController : IAsyncDisposable
{
    private readonly ClusterState _cluster;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _idleGate = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _idleWaiters = [];
    private readonly Dictionary<string, string> _uidsByKey = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly System.Threading.Channels.Channel<bool> _wake = System.Threading.Channels.Channel.CreateBounded<bool>(
        new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });

    private Task? _loop;
    private long _idleThrough = -1;
    private bool _allDirty;

    public DaemonSetController(ClusterState cluster, ILogger<DaemonSetController>? logger = null)
    {
        _cluster = cluster;
        _logger = logger ?? NullLogger<DaemonSetController>.Instance;
    }

    /// <summary>Starts reconciling in the background; <see cref="DisposeAsync"/> stops it.</summary>
    public void Start()
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The DaemonSet controller is already running.");
        }

        var nodes = _cluster.Nodes.Subscribe();
        var pods = _cluster.Pods.Subscribe();
        var daemonSets = _cluster.DaemonSets.Subscribe();
        _loop = Task.Run(() => RunAsync(nodes, pods, daemonSets, _stop.Token));
    }

    /// <summary>
    /// Completes once the controller has seen every change made before the call and has nothing
    /// left to do: the moment to assert on what it did (or did not) do, without sleeping.
    /// </summary>
    public Task WaitForIdleAsync(CancellationToken cancellationToken = default)
    {
        var target = _cluster.ResourceVersion;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_idleGate)
        {
            if (_idleThrough >= target)
            {
                return Task.CompletedTask;
            }

            _idleWaiters.Add((target, done));
        }

        // Changes the controller does not watch (leases, events) also move the version: wake it to catch up.
        _wake.Writer.TryWrite(true);
        return WaitAsync(done.Task, cancellationToken);
    }

    private async Task WaitAsync(Task idle, CancellationToken cancellationToken)
    {
        // A controller that died would never become idle: surface its failure instead of waiting forever.
        var loop = _loop ?? throw new InvalidOperationException("The DaemonSet controller was not started.");
        var first = await Task.WhenAny(idle, loop).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (first == loop)
        {
            await loop.ConfigureAwait(false);
            throw new InvalidOperationException("The DaemonSet controller has stopped.");
        }
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

        _stop.Dispose();
    }

    private async Task RunAsync(WatchSubscription nodes, WatchSubscription pods, WatchSubscription daemonSets, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.WhenAny(
                    nodes.Frames.WaitToReadAsync(cancellationToken).AsTask(),
                    pods.Frames.WaitToReadAsync(cancellationToken).AsTask(),
                    daemonSets.Frames.WaitToReadAsync(cancellationToken).AsTask(),
                    _wake.Reader.WaitToReadAsync(cancellationToken).AsTask()).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();

                // Every change up to this version is already queued in the subscriptions.
                var seenThrough = _cluster.ResourceVersion;
                _wake.Reader.TryRead(out _);
                Drain(nodes, pods, daemonSets);
                ReconcileDirty();

                if (!nodes.Frames.TryPeek(out _) && !pods.Frames.TryPeek(out _) && !daemonSets.Frames.TryPeek(out _))
                {
                    MarkIdle(seenThrough);
                }
            }
        }
        finally
        {
            _cluster.Nodes.CloseWatch(nodes);
            _cluster.Pods.CloseWatch(pods);
            _cluster.DaemonSets.CloseWatch(daemonSets);
        }
    }

    private void Drain(WatchSubscription nodes, WatchSubscription pods, WatchSubscription daemonSets)
    {
        while (nodes.Frames.TryRead(out _))
        {
            // Any node change can change where every DaemonSet should run.
            _allDirty = true;
        }

        while (daemonSets.Frames.TryRead(out var frame))
        {
            if (frame.Object is { } daemonSet)
            {
                _uidsByKey[daemonSet.Key] = daemonSet.Uid ?? "";
                _dirty.Add(daemonSet.Key);
            }
        }

        while (pods.Frames.TryRead(out var frame))
        {
            if (frame.Object?.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Kind == "DaemonSet") is { } owner)
            {
                _dirty.Add(StoredObject.KeyOf(frame.Object.Namespace, owner.Name));
            }
        }
    }

    private void ReconcileDirty()
    {
        if (_allDirty)
        {
            foreach (var daemonSet in _cluster.DaemonSets.ListShared())
            {
                _dirty.Add(StoredObject.KeyOf(daemonSet.Metadata.NamespaceProperty, daemonSet.Metadata.Name));
            }

            _allDirty = false;
        }

        if (_dirty.Count == 0)
        {
            return;
        }

        var nodes = _cluster.Nodes.ListShared();
        foreach (var key in _dirty.Order(StringComparer.Ordinal).ToList())
        {
            _dirty.Remove(key);
            try
            {
                Reconcile(key, nodes);
            }
            catch (KubeApiException e)
            {
                // Someone else changed the same objects meanwhile; their change re-queues this DaemonSet.
                LogReconcileFailed(key, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A DaemonSet this controller cannot handle must not stop it from handling the others.
                LogReconcileCrashed(e, key);
            }
        }
    }

    private void Reconcile(string key, IReadOnlyList<V1Node> nodes)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var (@namespace, name) = (key[..slash], key[(slash + 1)..]);
        var daemonSet = _cluster.DaemonSets.ListShared(@namespace).FirstOrDefault(d => d.Metadata.Name == name);
        if (daemonSet is null)
        {
            // Gone: its pods go too, as the garbage collector removes dependents.
            if (_uidsByKey.Remove(key, out var goneUid))
            {
                foreach (var orphan in _cluster.Pods.ListSharedByIndex(ResourceModels.ControllerUidIndex, goneUid))
                {
                    DeletePod(orphan);
                }
            }

            return;
        }

        _uidsByKey[key] = daemonSet.Metadata.Uid;
        var owned = _cluster.Pods.ListSharedByIndex(ResourceModels.ControllerUidIndex, daemonSet.Metadata.Uid)
            .Where(p => p.Metadata.NamespaceProperty == @namespace)
            .ToList();
        var hash = ControllerRevisionHash.Of(daemonSet.Spec.Template, daemonSet.Status?.CollisionCount);
        var plan = DaemonSetPlan.For(daemonSet, nodes, owned, hash);

        foreach (var pod in plan.Delete)
        {
            DeletePod(pod);
        }

        foreach (var node in plan.CreateOnNodes)
        {
            var created = _cluster.Pods.Create(DaemonSetPods.For(daemonSet, node, hash));
            LogPodCreated(created.Metadata.Name, node, key);
        }

        if (KubernetesJson.Serialize(plan.Status) != KubernetesJson.Serialize(daemonSet.Status ?? new V1DaemonSetStatus()))
        {
            _cluster.DaemonSets.Update(@namespace, name, d => d.Status = plan.Status);
        }
    }

    private void DeletePod(V1Pod pod)
    {
        try
        {
            _cluster.Pods.Delete(pod.Metadata.NamespaceProperty, pod.Metadata.Name);
            LogPodDeleted(pod.Metadata.Name, pod.Spec?.NodeName ?? "");
        }
        catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone, which is what we wanted.
        }
    }

    private void MarkIdle(long seenThrough)
    {
        List<TaskCompletionSource> done = [];
        lock (_idleGate)
        {
            _idleThrough = Math.Max(_idleThrough, seenThrough);
            for (var i = _idleWaiters.Count - 1; i >= 0; i--)
            {
                if (_idleWaiters[i].Target <= _idleThrough)
                {
                    done.Add(_idleWaiters[i].Done);
                    _idleWaiters.RemoveAt(i);
                }
            }
        }

        foreach (var waiter in done)
        {
            waiter.TrySetResult();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Created pod {Pod} on node {Node} for DaemonSet {DaemonSet}")]
    private partial void LogPodCreated(string pod, string node, string daemonSet);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted pod {Pod} on node {Node}")]
    private partial void LogPodDeleted(string pod, string node);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciling DaemonSet {DaemonSet} threw")]
    private partial void LogReconcileCrashed(Exception exception, string daemonSet);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciling DaemonSet {DaemonSet} failed; it will be retried on the next change: {Reason}")]
    private partial void LogReconcileFailed(string daemonSet, string reason);
}
