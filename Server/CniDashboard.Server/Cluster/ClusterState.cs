namespace CniDashboard.Server.Cluster;

/// <summary>What changed in the cluster facts, for routing to analysis and the change feed.</summary>
/// <param name="Kind">What kind of fact.</param>
/// <param name="Node">The node concerned, when one is.</param>
/// <param name="Summary">A line for humans.</param>
public sealed record ClusterFactChange(ClusterFactKind Kind, string? Node, string? Summary = null);

/// <summary>Kinds of cluster fact changes.</summary>
public enum ClusterFactKind
{
    /// <summary>A node appeared.</summary>
    NodeAdded,
    /// <summary>A node left.</summary>
    NodeRemoved,
    /// <summary>A node's facts changed meaningfully.</summary>
    NodeChanged,
    /// <summary>A CNI or agent pod on a node changed.</summary>
    CniPodChanged,
    /// <summary>The number of pods stuck creating on a node changed.</summary>
    PendingPodsChanged,
    /// <summary>A CNI DaemonSet changed.</summary>
    DaemonSetChanged,
    /// <summary>Cilium's configuration changed (or appeared, or went away).</summary>
    CiliumConfigChanged,
    /// <summary>An agent pod announced another manifest hash, and nothing else about the pod changed.</summary>
    ManifestAnnounced,
}

/// <summary>
/// The cluster as the watches see it, in memory: nodes, CNI and agent pods (indexed by node), pods
/// stuck creating (counted by node), CNI DaemonSets, Cilium's configuration. Writers are the
/// watches; readers take copies.
/// </summary>
public sealed class ClusterState(TimeProvider time)
{
    private static readonly IReadOnlyDictionary<string, string> EmptyConfig = new Dictionary<string, string>(StringComparer.Ordinal);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, NodeFacts> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CniPodFacts> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, CniPodFacts>> _podsByNode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingPodFacts> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _pendingByNode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DaemonSetFacts> _daemonSets = new(StringComparer.Ordinal);

    private IReadOnlyDictionary<string, string> _ciliumConfig = EmptyConfig;
    private long _version;

    /// <summary>Raised after each change, outside the lock.</summary>
    public event Action<ClusterFactChange>? Changed;

    /// <summary>Bumped on every change (including pending-pod counts); cheap staleness check for caches.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Node names, sorted.</summary>
    public IReadOnlyList<string> NodeNames
    {
        get
        {
            lock (_lock) return _nodes.Keys.Order(StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>Every node.</summary>
    public IReadOnlyList<NodeFacts> Nodes
    {
        get
        {
            lock (_lock) return _nodes.Values.ToArray();
        }
    }

    /// <summary>A node, or null.</summary>
    public NodeFacts? GetNode(string name)
    {
        lock (_lock) return _nodes.GetValueOrDefault(name);
    }

    /// <summary>CNI and agent pods on a node.</summary>
    public IReadOnlyList<CniPodFacts> PodsOn(string node)
    {
        lock (_lock) return _podsByNode.TryGetValue(node, out var pods) ? pods.Values.ToArray() : [];
    }

    /// <summary>The agent pod to poll on a node: running, with an IP, not terminating; a ready one first.</summary>
    public CniPodFacts? AgentPodFor(string node)
    {
        lock (_lock)
        {
            if (!_podsByNode.TryGetValue(node, out var pods)) return null;
            CniPodFacts? best = null;
            foreach (var p in pods.Values)
            {
                if (!p.IsAgent || p.Terminating || string.IsNullOrEmpty(p.PodIp) || p.Phase != "Running") continue;
                if (best is null || (p.Ready && !best.Ready)) best = p;
            }

            return best;
        }
    }

    /// <summary>Pods stuck creating on a node.</summary>
    public int PendingOn(string node)
    {
        lock (_lock) return _pendingByNode.GetValueOrDefault(node);
    }

    /// <summary>The CNI DaemonSets.</summary>
    public IReadOnlyList<DaemonSetFacts> DaemonSets
    {
        get
        {
            lock (_lock) return _daemonSets.Values.OrderBy(d => d.Namespace, StringComparer.Ordinal).ThenBy(d => d.Name, StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>Every CNI pod of a DaemonSet.</summary>
    public IReadOnlyList<CniPodFacts> PodsOf(string ns, string daemonSet)
    {
        lock (_lock) return _pods.Values.Where(p => p.Namespace == ns && (p.DaemonSet ?? p.Component) == daemonSet).ToArray();
    }

    // ---- nodes ----

    /// <summary>Adds or updates a node.</summary>
    public void UpsertNode(NodeFacts node)
    {
        ClusterFactChange? change;
        lock (_lock)
        {
            var old = _nodes.GetValueOrDefault(node.Name);
            _nodes[node.Name] = node;
            change = old is null ? new(ClusterFactKind.NodeAdded, node.Name)
                : node.DiffersFrom(old) ? new(ClusterFactKind.NodeChanged, node.Name, Describe(old, node))
                : null;
        }

        Raise(change);
    }

    /// <summary>Removes a node.</summary>
    public void RemoveNode(string name)
    {
        bool removed;
        lock (_lock) removed = _nodes.Remove(name);
        if (removed) Raise(new(ClusterFactKind.NodeRemoved, name));
    }

    /// <summary>Replaces every node (after a relist): nodes not listed are removed.</summary>
    public void ReplaceNodes(IReadOnlyList<NodeFacts> nodes)
    {
        string[] gone;
        lock (_lock)
        {
            var keep = nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            gone = _nodes.Keys.Where(k => !keep.Contains(k)).ToArray();
        }

        foreach (var name in gone) RemoveNode(name);
        foreach (var node in nodes) UpsertNode(node);
    }

    // ---- CNI and agent pods ----

    /// <summary>Adds or updates a pod.</summary>
    public void UpsertPod(CniPodFacts pod)
    {
        var key = $"{pod.Namespace}/{pod.Name}";
        var changes = new List<ClusterFactChange>(2);
        lock (_lock)
        {
            var old = _pods.GetValueOrDefault(key);
            if (old == pod) return;
            if (old?.Node is { } oldNode && oldNode != pod.Node)
            {
                RemoveFromNode(oldNode, key);
                changes.Add(new(ClusterFactKind.CniPodChanged, oldNode));
            }

            _pods[key] = pod;
            if (pod.Node is { } node)
            {
                if (!_podsByNode.TryGetValue(node, out var onNode)) _podsByNode[node] = onNode = new(StringComparer.Ordinal);
                onNode[key] = pod;
                // An announcement alone is no news for analysis or the feed: only the fetch it causes is.
                changes.Add(old is not null && old.Node == node && old with { AnnouncedManifestHash = pod.AnnouncedManifestHash } == pod
                    ? new(ClusterFactKind.ManifestAnnounced, node, pod.AnnouncedManifestHash)
                    : new(ClusterFactKind.CniPodChanged, node, $"{pod.Name}: {pod.Phase}{(pod.Ready ? ", ready" : "")}"));
            }
        }

        foreach (var c in changes) Raise(c);
    }

    /// <summary>Removes a pod.</summary>
    public void RemovePod(string ns, string name)
    {
        var key = $"{ns}/{name}";
        string? node;
        lock (_lock)
        {
            if (!_pods.Remove(key, out var old)) return;
            node = old.Node;
            if (node is not null) RemoveFromNode(node, key);
        }

        Raise(new(ClusterFactKind.CniPodChanged, node, $"{name} deleted"));
    }

    /// <summary>Replaces the pods of one component (after a relist).</summary>
    public void ReplacePods(string component, IReadOnlyList<CniPodFacts> pods)
    {
        string[] gone;
        lock (_lock)
        {
            var keep = pods.Select(p => $"{p.Namespace}/{p.Name}").ToHashSet(StringComparer.Ordinal);
            gone = _pods.Where(p => p.Value.Component == component && !keep.Contains(p.Key)).Select(p => p.Key).ToArray();
        }

        foreach (var key in gone)
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            RemovePod(key[..slash], key[(slash + 1)..]);
        }

        foreach (var pod in pods) UpsertPod(pod);
    }

    private void RemoveFromNode(string node, string key)
    {
        if (_podsByNode.TryGetValue(node, out var onNode))
        {
            onNode.Remove(key);
            if (onNode.Count == 0) _podsByNode.Remove(node);
        }
    }

    // ---- pods stuck creating ----

    /// <summary>Adds or updates a pending pod (null node or not creating = not counted).</summary>
    public void UpsertPending(string ns, string name, string? node, bool creating)
    {
        if (node is null || !creating)
        {
            RemovePending(ns, name);
            return;
        }

        var key = $"{ns}/{name}";
        var changes = new List<ClusterFactChange>(2);
        lock (_lock)
        {
            var old = _pending.GetValueOrDefault(key);
            if (old?.Node == node) return;
            if (old is not null)
            {
                Decrement(old.Node);
                changes.Add(new(ClusterFactKind.PendingPodsChanged, old.Node));
            }

            _pending[key] = new PendingPodFacts(ns, name, node);
            _pendingByNode[node] = _pendingByNode.GetValueOrDefault(node) + 1;
            changes.Add(new(ClusterFactKind.PendingPodsChanged, node));
        }

        foreach (var c in changes) Raise(c);
    }

    /// <summary>Removes a pending pod.</summary>
    public void RemovePending(string ns, string name)
    {
        string node;
        lock (_lock)
        {
            if (!_pending.Remove($"{ns}/{name}", out var old)) return;
            node = old.Node;
            Decrement(node);
        }

        Raise(new(ClusterFactKind.PendingPodsChanged, node));
    }

    /// <summary>Replaces every pending pod (after a relist).</summary>
    public void ReplacePending(IReadOnlyList<(string Namespace, string Name, string? Node, bool Creating)> pods)
    {
        string[] gone;
        lock (_lock)
        {
            var keep = pods.Select(p => $"{p.Namespace}/{p.Name}").ToHashSet(StringComparer.Ordinal);
            gone = _pending.Keys.Where(k => !keep.Contains(k)).ToArray();
        }

        foreach (var key in gone)
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            RemovePending(key[..slash], key[(slash + 1)..]);
        }

        foreach (var p in pods) UpsertPending(p.Namespace, p.Name, p.Node, p.Creating);
    }

    private void Decrement(string node)
    {
        var n = _pendingByNode.GetValueOrDefault(node) - 1;
        if (n <= 0) _pendingByNode.Remove(node);
        else _pendingByNode[node] = n;
    }

    // ---- DaemonSets ----

    /// <summary>Adds or updates a DaemonSet, keeping when its rollout last moved.</summary>
    public void UpsertDaemonSet(DaemonSetFacts ds)
    {
        var key = $"{ds.Namespace}/{ds.Name}";
        ClusterFactChange? change = null;
        lock (_lock)
        {
            var old = _daemonSets.GetValueOrDefault(key);
            var progressed = old is null || old.Updated != ds.Updated || old.Ready != ds.Ready || old.Desired != ds.Desired || old.Image != ds.Image;
            var next = ds with { LastProgressAt = progressed ? time.GetUtcNow() : old!.LastProgressAt };
            _daemonSets[key] = next;
            if (old is null || old with { LastProgressAt = default } != next with { LastProgressAt = default })
                change = new(ClusterFactKind.DaemonSetChanged, null, $"{ds.Name}: {ds.Updated}/{ds.Desired} updated, {ds.Ready} ready");
        }

        Raise(change);
    }

    /// <summary>Removes a DaemonSet.</summary>
    public void RemoveDaemonSet(string ns, string name)
    {
        bool removed;
        lock (_lock) removed = _daemonSets.Remove($"{ns}/{name}");
        if (removed) Raise(new(ClusterFactKind.DaemonSetChanged, null, $"{name} deleted"));
    }

    /// <summary>Replaces the DaemonSets of one namespace (after a relist).</summary>
    public void ReplaceDaemonSets(string ns, IReadOnlyList<DaemonSetFacts> daemonSets)
    {
        string[] gone;
        lock (_lock)
        {
            var keep = daemonSets.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
            gone = _daemonSets.Values.Where(d => d.Namespace == ns && !keep.Contains(d.Name)).Select(d => d.Name).ToArray();
        }

        foreach (var name in gone) RemoveDaemonSet(ns, name);
        foreach (var ds in daemonSets) UpsertDaemonSet(ds);
    }

    // ---- Cilium's configuration ----

    /// <summary>Cilium's ConfigMap data (e.g. <c>cni-exclusive</c>); empty when there is none. Never changed in place.</summary>
    public IReadOnlyDictionary<string, string> CiliumConfig
    {
        get
        {
            lock (_lock) return _ciliumConfig;
        }
    }

    /// <summary>Replaces Cilium's configuration (null: the ConfigMap is gone); a change is raised only when the data differs.</summary>
    public void SetCiliumConfig(IDictionary<string, string>? data)
    {
        var next = data is null || data.Count == 0 ? EmptyConfig : new Dictionary<string, string>(data, StringComparer.Ordinal);
        ClusterFactChange? change = null;
        lock (_lock)
        {
            var old = _ciliumConfig;
            if (old.Count != next.Count || old.Any(p => !next.TryGetValue(p.Key, out var v) || v != p.Value))
            {
                _ciliumConfig = next;
                change = new(ClusterFactKind.CiliumConfigChanged, null, DescribeCiliumConfig(old, next));
            }
        }

        Raise(change);
    }

    private static string DescribeCiliumConfig(IReadOnlyDictionary<string, string> old, IReadOnlyDictionary<string, string> now)
    {
        if (now.Count == 0) return "cilium-config gone";
        var changed = now.Keys.Union(old.Keys, StringComparer.Ordinal)
            .Where(k => old.GetValueOrDefault(k) != now.GetValueOrDefault(k))
            .Order(StringComparer.Ordinal)
            .ToArray();
        var shown = changed.Take(3).Select(k => now.TryGetValue(k, out var v) ? $"{k}: {v}" : $"{k} removed");
        return $"cilium-config {string.Join(", ", shown)}{(changed.Length > 3 ? $" (+{changed.Length - 3} more)" : "")}";
    }

    private static string Describe(NodeFacts old, NodeFacts now)
    {
        var parts = new List<string>();
        if (old.Unschedulable != now.Unschedulable) parts.Add(now.Unschedulable ? "cordoned" : "uncordoned");
        if (old.NetworkReady != now.NetworkReady) parts.Add(now.NetworkReady == true ? "network ready" : "network not ready");
        if (old.OsImage != now.OsImage) parts.Add($"OS image {now.OsImage}");
        if (old.KubeletVersion != now.KubeletVersion) parts.Add($"kubelet {now.KubeletVersion}");
        return parts.Count == 0 ? "labels changed" : string.Join(", ", parts);
    }

    private void Raise(ClusterFactChange? change)
    {
        if (change is null) return;
        Interlocked.Increment(ref _version);
        Changed?.Invoke(change);
    }
}
