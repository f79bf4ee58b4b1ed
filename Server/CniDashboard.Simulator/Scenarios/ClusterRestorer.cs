using System.Text.Json;
using CniDashboard.Simulator.Controllers;
using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Store;
using CniDashboard.Simulator.Kubelet;
using CniDashboard.Simulator.Nodes;
using k8s;
using k8s.Models;

namespace CniDashboard.Simulator.Scenarios;

/// <summary>
/// Turns the live cluster into a <see cref="SimulatorState"/> and back: what the API server's etcd
/// would have kept across the restart, so every DaemonSet pod comes back with its name and uid.
/// </summary>
internal static class ClusterRestorer
{
    /// <summary>The state to save now. Reads the stores' shared instances without copying them.</summary>
    public static SimulatorState Capture(ClusterState cluster, IReadOnlyList<SimulatedNode> nodes, PodTemplateHistory templates, SimulatorState previous)
    {
        var daemonSets = new List<DaemonSetRecord>();
        var pods = new List<PodRecord>();
        foreach (var (@namespace, name) in CniDaemonSets.All)
        {
            if (cluster.DaemonSets.Get(@namespace, name) is not { } daemonSet)
            {
                continue;
            }

            templates.Remember(daemonSet);
            daemonSets.Add(new DaemonSetRecord(@namespace, name, ToJson(daemonSet.Spec), daemonSet.Metadata.Generation ?? 1, templates.Export(@namespace, name))
            {
                Annotations = daemonSet.Metadata.Annotations is { Count: > 0 } annotations ? new Dictionary<string, string>(annotations) : null,
            });
            foreach (var pod in cluster.Pods.ListSharedByIndex(ResourceModels.ControllerUidIndex, daemonSet.Metadata.Uid))
            {
                var status = pod.Status;
                var running = status?.Phase == "Running";
                pods.Add(new PodRecord(
                    @namespace,
                    pod.Metadata.Name,
                    pod.Metadata.Uid,
                    pod.Spec.NodeName,
                    name,
                    Label(pod, DaemonSetPlan.RevisionHashLabel) ?? "",
                    Label(pod, DaemonSetPlan.TemplateGenerationLabel),
                    pod.Metadata.CreationTimestamp ?? DateTime.UnixEpoch,
                    running,
                    DaemonSetPlan.IsReady(pod),
                    running ? status?.ContainerStatuses?.FirstOrDefault()?.State?.Running?.StartedAt : null,
                    running ? status?.PodIP : null));
            }
        }

        var configMaps = cluster.ConfigMaps.List()
            .Select(c => new ConfigMapRecord(c.Metadata.NamespaceProperty, c.Metadata.Name, ToJson(c)))
            .ToList();

        return previous with
        {
            SavedAt = cluster.TimeProvider.GetUtcNow(),
            Nodes = [.. nodes.Select(n => new NodeRecord(n.Identity.Index, n.Name, n.Identity.Uid ?? "", n.Role, cluster.Nodes.Get(n.Name)?.Metadata.CreationTimestamp ?? DateTime.UnixEpoch))],
            DaemonSets = daemonSets,
            Pods = [.. pods.OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal)],
            ConfigMaps = configMaps,
        };
    }

    /// <summary>
    /// Re-creates the saved nodes (those of <paramref name="nodes"/> with a uid), the ConfigMaps, the
    /// DaemonSets and their pods. A pod whose node or template is gone is left out: the controller replaces it.
    /// </summary>
    public static void Restore(ClusterState cluster, SimulatorState state, IReadOnlyList<SimulatedNode> nodes, PodTemplateHistory templates)
    {
        ClusterSeeder.EnsureNamespaces(cluster);
        foreach (var record in state.ConfigMaps)
        {
            cluster.EnsureNamespace(record.Namespace);
            cluster.ConfigMaps.Restore(KubernetesJson.Deserialize<V1ConfigMap>(record.ConfigMap.GetRawText()));
        }

        if (state.ConfigMaps.Count == 0)
        {
            // Saved before ConfigMaps were kept: Cilium's as a chaining install has it.
            cluster.ConfigMaps.Create(CiliumConfig.Create(exclusive: false));
        }

        if (cluster.ConfigMaps.Get(AuditCheckpointConfigMap.Namespace, AuditCheckpointConfigMap.Name) is null)
        {
            // Saved before the chart made it (the annotation, once written, is kept with the others).
            cluster.ConfigMaps.Create(AuditCheckpointConfigMap.Create());
        }

        var saved = state.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var present = new Dictionary<string, SimulatedNode>(StringComparer.Ordinal);
        foreach (var node in nodes.Where(n => n.Identity.Uid is not null))
        {
            node.CreateFolders();
            cluster.Nodes.Restore(NodeObjects.Create(node.Identity, saved[node.Name].CreatedAt));
            present[node.Name] = node;
        }

        var shaped = new Dictionary<(string DaemonSet, string Hash), V1DaemonSet?>();
        foreach (var record in state.DaemonSets)
        {
            var daemonSet = CniDaemonSets.Create(record.Name);
            daemonSet.Spec = KubernetesJson.Deserialize<V1DaemonSetSpec>(record.Spec.GetRawText());
            daemonSet.Metadata.Annotations = record.Annotations;
            cluster.DaemonSets.Create(daemonSet);
            templates.Import(record.Namespace, record.Name, record.Templates);
        }

        // A DaemonSet the saved cluster did not have yet (saved by an older simulator): as installed now; the controller creates its pods.
        foreach (var (@namespace, name) in CniDaemonSets.All.Where(d => !state.DaemonSets.Any(r => r.Namespace == d.Namespace && r.Name == d.Name)))
        {
            templates.Remember(cluster.DaemonSets.Create(CniDaemonSets.Create(name)));
        }

        foreach (var record in state.Pods)
        {
            if (!present.TryGetValue(record.Node, out var node) || cluster.DaemonSets.Get(record.Namespace, record.DaemonSet) is not { } daemonSet)
            {
                continue;
            }

            var key = (record.DaemonSet, record.RevisionHash);
            if (!shaped.TryGetValue(key, out var revision))
            {
                // The DaemonSet as it was at the pod's revision: a v1.6.0 pod comes back as v1.6.0.
                revision = null;
                if (templates.Find(record.Namespace, record.DaemonSet, record.RevisionHash) is { } found)
                {
                    revision = daemonSet;
                    revision.Spec.Template = found.Template;
                    revision.Metadata.Generation = found.Generation;
                }

                shaped[key] = revision;
            }

            if (revision is null)
            {
                continue;
            }

            var pod = DaemonSetPods.For(revision, record.Node, record.RevisionHash);
            pod.Metadata.Name = record.Name;
            pod.Metadata.Uid = record.Uid;
            pod.Metadata.CreationTimestamp = record.CreatedAt;
            if (record.TemplateGeneration is { } generation)
            {
                pod.Metadata.Labels[DaemonSetPlan.TemplateGenerationLabel] = generation;
            }

            if (record.Running)
            {
                var startedAt = record.StartedAt ?? record.CreatedAt;
                pod.Status = PodStatuses.Running(pod.Metadata.Uid, ContainerRef.Of(pod), node.Address.ToString(), record.PodIp ?? node.Address.ToString(), record.CreatedAt, startedAt, record.Ready, startedAt);
            }

            cluster.Pods.Restore(pod);
        }
    }

    private static string? Label(V1Pod pod, string key) =>
        pod.Metadata.Labels is { } labels && labels.TryGetValue(key, out var value) ? value : null;

    private static JsonElement ToJson(object value)
    {
        using var document = JsonDocument.Parse(KubernetesJson.Serialize(value));
        return document.RootElement.Clone();
    }
}
