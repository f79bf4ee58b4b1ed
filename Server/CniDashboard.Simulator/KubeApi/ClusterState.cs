using CniDashboard.Simulator.KubeApi.Store;
using CniDashboard.Simulator.KubeApi.Watch;
using k8s.Models;

namespace CniDashboard.Simulator.KubeApi;

/// <summary>
/// The whole simulated cluster as the API server stores it: one typed store per resource, one
/// resourceVersion counter shared by all of them, and the bounded history that watches resume from.
/// Thread-safe: every mutation runs under one lock, so versions and watch events are totally ordered.
/// </summary>
public sealed class ClusterState
{
    /// <summary>The namespaces every cluster starts with.</summary>
    public static readonly IReadOnlyList<string> BuiltInNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    private long _resourceVersion;

    public ClusterState(TimeProvider? timeProvider = null, int watchHistoryCapacity = 20_000, int seed = 1, int listSnapshotCapacity = 32)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        History = new WatchHistory(watchHistoryCapacity);
        Names = new NameGenerator(seed);
        Nodes = new ResourceStore<V1Node>(this, ResourceModels.Nodes, listSnapshotCapacity);
        Pods = new ResourceStore<V1Pod>(this, ResourceModels.Pods, listSnapshotCapacity);
        Events = new ResourceStore<Corev1Event>(this, ResourceModels.Events, listSnapshotCapacity);
        Namespaces = new ResourceStore<V1Namespace>(this, ResourceModels.Namespaces, listSnapshotCapacity);
        ConfigMaps = new ResourceStore<V1ConfigMap>(this, ResourceModels.ConfigMaps, listSnapshotCapacity);
        DaemonSets = new ResourceStore<V1DaemonSet>(this, ResourceModels.DaemonSets, listSnapshotCapacity);
        Leases = new ResourceStore<V1Lease>(this, ResourceModels.Leases, listSnapshotCapacity);
        Stores = [Nodes, Pods, Events, Namespaces, ConfigMaps, DaemonSets, Leases];

        foreach (var name in BuiltInNamespaces)
        {
            EnsureNamespace(name);
        }
    }

    public TimeProvider TimeProvider { get; }

    public ResourceStore<V1Node> Nodes { get; }

    public ResourceStore<V1Pod> Pods { get; }

    public ResourceStore<Corev1Event> Events { get; }

    public ResourceStore<V1Namespace> Namespaces { get; }

    public ResourceStore<V1ConfigMap> ConfigMaps { get; }

    public ResourceStore<V1DaemonSet> DaemonSets { get; }

    public ResourceStore<V1Lease> Leases { get; }

    /// <summary>The version of the latest change, as a list would report it.</summary>
    public long ResourceVersion
    {
        get
        {
            lock (Gate)
            {
                return _resourceVersion;
            }
        }
    }

    /// <summary>Open HTTP watch streams (in-process watchers are not counted).</summary>
    public int OpenWatchCount
    {
        get
        {
            lock (Gate)
            {
                return Hub.All.Count(s => s.IsRemote);
            }
        }
    }

    internal Lock Gate { get; } = new();

    internal NameGenerator Names { get; }

    internal WatchHistory History { get; }

    internal WatchHub Hub { get; } = new();

    internal IReadOnlyList<IResourceStore> Stores { get; }

    internal long ResourceVersionLocked => _resourceVersion;

    /// <summary>Fault injection: ends every open HTTP watch stream now, as an API server restart or a load balancer would.</summary>
    public void DropWatches()
    {
        lock (Gate)
        {
            foreach (var subscription in Hub.All.Where(s => s.IsRemote).ToArray())
            {
                subscription.Close();
                Hub.Remove(subscription);
            }
        }
    }

    /// <summary>
    /// Fault injection: compacts the history so every resourceVersion before the current one is
    /// answered with 410 Expired, for watches and list continuations alike.
    /// </summary>
    public void ExpireHistory()
    {
        lock (Gate)
        {
            History.CompactThrough(_resourceVersion);
            foreach (var store in Stores)
            {
                store.ForgetSnapshots();
            }
        }
    }

    /// <summary>Creates the namespace unless it exists; returns it either way.</summary>
    public V1Namespace EnsureNamespace(string name)
    {
        lock (Gate)
        {
            if (!Namespaces.ContainsLocked(null, name))
            {
                return Namespaces.Create(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
            }
        }

        return Namespaces.Get(name)!;
    }

    /// <summary>Sets a pod's status, as the kubelet reports it; watchers see a MODIFIED.</summary>
    public V1Pod SetPodStatus(string @namespace, string name, V1PodStatus status) =>
        Pods.Update(@namespace, name, pod => pod.Status = status);

    /// <summary>Deletes events last seen before <paramref name="cutoff"/>, as their etcd TTL would.</summary>
    public int DeleteEventsOlderThan(DateTimeOffset cutoff)
    {
        var deleted = 0;
        lock (Gate)
        {
            var expired = Events.ListShared()
                .Where(e => (e.LastTimestamp ?? e.EventTime ?? e.Metadata.CreationTimestamp) < cutoff.UtcDateTime)
                .Select(e => (e.Metadata.NamespaceProperty, e.Metadata.Name))
                .ToList();
            foreach (var (@namespace, name) in expired)
            {
                Events.Delete(@namespace, name);
                deleted++;
            }
        }

        return deleted;
    }

    internal IResourceStore? Find(KubeResource resource) => Stores.FirstOrDefault(s => s.Resource == resource);

    internal long NextResourceVersionLocked() => ++_resourceVersion;

    internal void PublishLocked(ChangeRecord change)
    {
        History.Append(change);
        Hub.Dispatch(change);
    }

    internal bool NamespaceExistsLocked(string name) => Namespaces.ContainsLocked(null, name);

    internal void DeleteNamespaceContentsLocked(string @namespace)
    {
        foreach (var store in Stores.Where(s => s.Resource.Namespaced))
        {
            store.DeleteAllInNamespace(@namespace);
        }
    }

    /// <summary>Sends a bookmark at the current version; under the lock so it never overtakes an event.</summary>
    internal void SendBookmark(WatchSubscription subscription)
    {
        lock (Gate)
        {
            subscription.OfferBookmark(_resourceVersion);
        }
    }

    /// <summary>Creation timestamps have whole seconds, as the API server's do.</summary>
    internal DateTime NowToTheSecond()
    {
        var now = TimeProvider.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }
}
