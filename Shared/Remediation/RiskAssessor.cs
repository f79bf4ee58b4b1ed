using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Analysis.Rules;

namespace CniDashboard.Shared.Remediation;

/// <summary>
/// The risk notes of a proposal, from what the analyzer knows: a mesh plugin leaving the chain, a
/// broken installer still deployed elsewhere in the fleet, the runtime switching to another file, a
/// node that stays critical, a node with no pod to restart. Ids are stable, so a standing approval can
/// tell whether a joining node brings a risk the approvers never saw.
/// </summary>
internal static class RiskAssessor
{
    public static IReadOnlyList<RiskNote> Assess(
        string rule,
        string? plugin,
        RemediationComponent? component,
        IReadOnlyList<NodeRemediation> nodes,
        IReadOnlyDictionary<string, PlanNodeInput> inputs,
        IReadOnlyList<NodeClusterContext> fleet)
    {
        var notes = new List<RiskNote>();
        foreach (var mesh in MeshCni.All)
        {
            var affected = nodes.Where(n => n.Edits.Any(e => e.RemovedPlugins.Contains(mesh.PluginType)) && n.Prediction.ChainBefore.Contains(mesh.PluginType)
                && !n.Prediction.ChainAfter.Contains(mesh.PluginType)).Select(n => n.Node).ToArray();
            if (affected.Length == 0) continue;
            var reinstall = component is not null && mesh.DaemonSets.Contains(component.DaemonSet)
                ? $" (the plan restarts the {component} pod on each node, which re-installs it)"
                : " (nothing in this plan restarts its installer)";
            notes.Add(Note($"unmeshed:{mesh.PluginType}",
                $"Removing {mesh.PluginType} from the chain: new pods on these nodes are not meshed until {mesh.PluginType} re-installs its entry{reinstall}.", affected));
        }

        if (RemediationComponents.MeshOf(plugin) is { } planned && planned == MeshCni.Linkerd)
        {
            var bad = fleet.Select(c => (c.Node, Image: planned.PodsOn(c).Select(p => ImageRef.Parse(p.Image)).FirstOrDefault(KnownBadInstallerImageRule.IsBad)))
                .Where(x => x.Image is not null).ToArray();
            if (bad.Length > 0)
            {
                var versions = string.Join("/", bad.Select(b => b.Image!.Tag).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
                notes.Add(Note($"bad-installer:{planned.PluginType}",
                    $"The {planned.PluginType} {versions} installer still runs on {bad.Length} node(s): when the rollout replaces those pods, their cleanup leaves the same stale entry.",
                    [.. bad.Select(b => b.Node ?? "(unnamed)")]));
            }
            var template = fleet.Select(c => planned.DaemonSetIn(c)).FirstOrDefault(d => d is not null);
            if (template is not null && ImageRef.Parse(template.Image) is { } image && KnownBadInstallerImageRule.IsBad(image))
            {
                notes.Add(Note($"bad-template:{planned.PluginType}",
                    $"DaemonSet {template.Namespace}/{template.Name} still deploys {image}: every pod it replaces — including those this plan restarts — leaves a stale entry again.", []));
            }
        }

        var switched = nodes.Where(n => n.Prediction.PrimaryBefore != n.Prediction.PrimaryAfter).ToArray();
        if (switched.Length > 0)
        {
            var example = switched[0].Prediction;
            notes.Add(Note("primary-changes",
                $"On {switched.Length} node(s) the runtime will load another file after the fix (e.g. {switched[0].Node}: {example.PrimaryBefore ?? "none"} → {example.PrimaryAfter ?? "none"}); its chain is what new pods get.",
                [.. switched.Select(n => n.Node)]));
        }

        var critical = nodes.Where(n => n.Prediction.Remaining.Any(f => f.Severity == Severity.Critical)).ToArray();
        if (critical.Length > 0)
        {
            var first = critical[0].Prediction.Remaining.First(f => f.Severity == Severity.Critical);
            notes.Add(Note("still-critical",
                $"{critical.Length} node(s) stay critical after the fix (e.g. {critical[0].Node}: {first.Rule}); new pods there still fail, and its verification fails unless that is expected.",
                [.. critical.Select(n => n.Node)]));
        }

        if (component is not null)
        {
            var without = nodes.Where(n => inputs.TryGetValue(n.Node, out var input) && !RemediationComponents.RunsOn(component, input.Context)).Select(n => n.Node).ToArray();
            if (without.Length > 0)
            {
                notes.Add(Note($"no-pod:{component.DaemonSet}",
                    $"No {component} pod runs on {without.Length} node(s): nothing is restarted there, the plan waits (up to the ready timeout) for one to become Ready.", without));
            }
        }
        else if (RemediationComponents.MeshOf(plugin) is { } mesh && RemediationComponents.Restarts(rule, plugin))
        {
            notes.Add(Note($"no-daemonset:{mesh.PluginType}",
                $"No {mesh.PluginType} DaemonSet is known in the cluster: no pod is restarted, and nothing re-installs its entry.", []));
        }

        return notes;
    }

    private static RiskNote Note(string id, string text, IReadOnlyList<string> nodes) =>
        new(id, text, [.. nodes.Take(RiskNote.MaxNodesListed)], nodes.Count);
}
