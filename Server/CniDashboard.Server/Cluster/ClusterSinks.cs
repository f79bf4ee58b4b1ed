using k8s.Models;

namespace CniDashboard.Server.Cluster;

/// <summary>Nodes into the cluster state.</summary>
internal sealed class NodeSink(ClusterState state) : IResourceSink<V1Node>
{
    public void Reset(IReadOnlyList<V1Node> items) => state.ReplaceNodes(items.Select(KubeMapping.ToFacts).ToArray());

    public IResourceListing<V1Node> BeginList() => new MappedListing<V1Node, NodeFacts>(KubeMapping.ToFacts, state.ReplaceNodes);

    public void Upsert(V1Node item) => state.UpsertNode(KubeMapping.ToFacts(item));

    public void Delete(V1Node item) => state.RemoveNode(item.Metadata?.Name ?? "");
}

/// <summary>One component's pods into the cluster state.</summary>
internal sealed class CniPodSink(ClusterState state, string component, bool isAgent) : IResourceSink<V1Pod>
{
    public void Reset(IReadOnlyList<V1Pod> items) => state.ReplacePods(component, items.Select(Facts).ToArray());

    public IResourceListing<V1Pod> BeginList() => new MappedListing<V1Pod, CniPodFacts>(Facts, facts => state.ReplacePods(component, facts));

    private CniPodFacts Facts(V1Pod pod) => KubeMapping.ToFacts(pod, component, isAgent);

    public void Upsert(V1Pod item) => state.UpsertPod(KubeMapping.ToFacts(item, component, isAgent));

    public void Delete(V1Pod item) => state.RemovePod(item.Metadata?.NamespaceProperty ?? "", item.Metadata?.Name ?? "");
}

/// <summary>Pending pods, counted per node when stuck creating.</summary>
internal sealed class PendingPodSink(ClusterState state) : IResourceSink<V1Pod>
{
    public void Reset(IReadOnlyList<V1Pod> items) => state.ReplacePending(items.Select(Facts).ToArray());

    public IResourceListing<V1Pod> BeginList() =>
        new MappedListing<V1Pod, (string Namespace, string Name, string? Node, bool Creating)>(Facts, state.ReplacePending);

    private static (string Namespace, string Name, string? Node, bool Creating) Facts(V1Pod p) =>
        (p.Metadata?.NamespaceProperty ?? "", p.Metadata?.Name ?? "", p.Spec?.NodeName, KubeMapping.IsStuckCreating(p));

    public void Upsert(V1Pod item) =>
        state.UpsertPending(item.Metadata?.NamespaceProperty ?? "", item.Metadata?.Name ?? "", item.Spec?.NodeName, KubeMapping.IsStuckCreating(item));

    public void Delete(V1Pod item) => state.RemovePending(item.Metadata?.NamespaceProperty ?? "", item.Metadata?.Name ?? "");
}

/// <summary>The configured DaemonSets of one namespace.</summary>
internal sealed class DaemonSetSink(ClusterState state, string ns, IReadOnlySet<string> names) : IResourceSink<V1DaemonSet>
{
    public void Reset(IReadOnlyList<V1DaemonSet> items) =>
        state.ReplaceDaemonSets(ns, items.Where(Wanted).Select(KubeMapping.ToFacts).ToArray());

    public void Upsert(V1DaemonSet item)
    {
        if (Wanted(item)) state.UpsertDaemonSet(KubeMapping.ToFacts(item));
    }

    public void Delete(V1DaemonSet item)
    {
        if (Wanted(item)) state.RemoveDaemonSet(ns, item.Metadata?.Name ?? "");
    }

    private bool Wanted(V1DaemonSet ds) => ds.Metadata?.Name is { } name && names.Contains(name);
}

/// <summary>Cilium's ConfigMap into the cluster state; listing it empty (no Cilium) or deleting it clears it.</summary>
internal sealed class CiliumConfigSink(ClusterState state, string name) : IResourceSink<V1ConfigMap>
{
    public void Reset(IReadOnlyList<V1ConfigMap> items) => state.SetCiliumConfig(items.FirstOrDefault(c => c.Metadata?.Name == name)?.Data);

    public void Upsert(V1ConfigMap item)
    {
        if (item.Metadata?.Name == name) state.SetCiliumConfig(item.Data);
    }

    public void Delete(V1ConfigMap item)
    {
        if (item.Metadata?.Name == name) state.SetCiliumConfig(null);
    }
}

/// <summary>FailedCreatePodSandBox events to the recorder (history is kept when the API expires them).</summary>
internal sealed class SandboxEventSink(SandboxEventRecorder recorder) : IResourceSink<Corev1Event>
{
    public void Reset(IReadOnlyList<Corev1Event> items)
    {
        // Already-known uids are deduplicated by the store; counts that grew in a gap are recorded.
        foreach (var e in items) recorder.Observe(e);
    }

    public void Upsert(Corev1Event item) => recorder.Observe(item);

    public void Delete(Corev1Event item)
    {
    }
}
