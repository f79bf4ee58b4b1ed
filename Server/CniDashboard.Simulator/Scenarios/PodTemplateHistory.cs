using System.Text.Json;
using CniDashboard.Simulator.Controllers;
using k8s;
using k8s.Models;

namespace CniDashboard.Simulator.Scenarios;

/// <summary>
/// The pod templates each DaemonSet has had, by revision hash (what ControllerRevisions hold in a
/// real cluster): a pod of an older revision — linkerd-cni v1.6.0 on the nodes the rollout has not
/// reached — can only be re-created after a restart from its own template.
/// </summary>
internal sealed class PodTemplateHistory
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, (V1PodTemplateSpec Template, long Generation)>> _byDaemonSet = new(StringComparer.Ordinal);

    /// <summary>Remembers the DaemonSet's current template; returns its revision hash.</summary>
    public string Remember(V1DaemonSet daemonSet)
    {
        var hash = ControllerRevisionHash.Of(daemonSet.Spec.Template, daemonSet.Status?.CollisionCount);
        Add(Key(daemonSet.Metadata.NamespaceProperty, daemonSet.Metadata.Name), hash, Copy(daemonSet.Spec.Template), daemonSet.Metadata.Generation ?? 1);
        return hash;
    }

    public (V1PodTemplateSpec Template, long Generation)? Find(string @namespace, string daemonSet, string hash)
    {
        lock (_gate)
        {
            return _byDaemonSet.TryGetValue(Key(@namespace, daemonSet), out var templates) && templates.TryGetValue(hash, out var found)
                ? (Copy(found.Template), found.Generation)
                : null;
        }
    }

    /// <summary>The templates of one DaemonSet, as saved in the state file.</summary>
    public Dictionary<string, JsonElement> Export(string @namespace, string daemonSet)
    {
        lock (_gate)
        {
            return _byDaemonSet.TryGetValue(Key(@namespace, daemonSet), out var templates)
                ? templates.ToDictionary(t => t.Key, t => ToJson(new TemplateRecord(t.Value.Generation, t.Value.Template)), StringComparer.Ordinal)
                : [];
        }
    }

    public void Import(string @namespace, string daemonSet, IReadOnlyDictionary<string, JsonElement> templates)
    {
        foreach (var (hash, json) in templates)
        {
            var record = KubernetesJson.Deserialize<TemplateRecord>(json.GetRawText());
            Add(Key(@namespace, daemonSet), hash, record.Template, record.Generation);
        }
    }

    private void Add(string key, string hash, V1PodTemplateSpec template, long generation)
    {
        lock (_gate)
        {
            if (!_byDaemonSet.TryGetValue(key, out var templates))
            {
                templates = new Dictionary<string, (V1PodTemplateSpec, long)>(StringComparer.Ordinal);
                _byDaemonSet[key] = templates;
            }

            templates[hash] = (template, generation);
        }
    }

    private static string Key(string @namespace, string name) => $"{@namespace}/{name}";

    private static V1PodTemplateSpec Copy(V1PodTemplateSpec template) =>
        KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(template));

    private static JsonElement ToJson(object value)
    {
        using var document = JsonDocument.Parse(KubernetesJson.Serialize(value));
        return document.RootElement.Clone();
    }

    private sealed record TemplateRecord(long Generation, V1PodTemplateSpec Template);
}
