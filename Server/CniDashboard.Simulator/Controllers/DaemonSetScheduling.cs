using CniDashboard.Simulator.KubeApi.Selectors;
using k8s.Models;

namespace CniDashboard.Simulator.Controllers;

/// <summary>Which nodes a DaemonSet's pods belong on: node selector, required node affinity and taints.</summary>
internal static class DaemonSetScheduling
{
    /// <summary>
    /// Tolerations the DaemonSet controller adds to every pod it creates, which is why a DaemonSet
    /// keeps running on cordoned, not-ready and pressured nodes.
    /// </summary>
    public static IReadOnlyList<V1Toleration> DefaultTolerations { get; } =
    [
        new() { Key = "node.kubernetes.io/not-ready", OperatorProperty = "Exists", Effect = "NoExecute" },
        new() { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute" },
        new() { Key = "node.kubernetes.io/disk-pressure", OperatorProperty = "Exists", Effect = "NoSchedule" },
        new() { Key = "node.kubernetes.io/memory-pressure", OperatorProperty = "Exists", Effect = "NoSchedule" },
        new() { Key = "node.kubernetes.io/pid-pressure", OperatorProperty = "Exists", Effect = "NoSchedule" },
        new() { Key = "node.kubernetes.io/unschedulable", OperatorProperty = "Exists", Effect = "NoSchedule" },
    ];

    /// <summary>
    /// Whether a pod of this template should run on the node. <c>spec.unschedulable</c> (cordon) is
    /// deliberately not consulted: DaemonSet pods run on cordoned nodes.
    /// </summary>
    public static bool ShouldRun(V1PodTemplateSpec template, V1Node node)
    {
        var spec = template.Spec;
        var labels = node.Metadata.Labels;
        if (!LabelSelector.FromMap(spec?.NodeSelector).Matches(labels))
        {
            return false;
        }

        var terms = spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms;
        if (terms is { Count: > 0 } && !terms.Any(term => TermMatches(term, node)))
        {
            return false;
        }

        foreach (var taint in node.Spec?.Taints ?? [])
        {
            if (taint.Effect is "NoSchedule" or "NoExecute"
                && !Tolerated(taint, spec?.Tolerations)
                && !Tolerated(taint, DefaultTolerations))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Tolerated(V1Taint taint, IEnumerable<V1Toleration>? tolerations) =>
        tolerations is not null && tolerations.Any(t =>
            (string.IsNullOrEmpty(t.Effect) || t.Effect == taint.Effect)
            && (t.OperatorProperty == "Exists"
                ? string.IsNullOrEmpty(t.Key) || t.Key == taint.Key
                : t.Key == taint.Key && (t.Value ?? "") == (taint.Value ?? "")));

    private static bool TermMatches(V1NodeSelectorTerm term, V1Node node)
    {
        foreach (var expression in term.MatchExpressions ?? [])
        {
            if (!ExpressionMatches(expression, node.Metadata.Labels))
            {
                return false;
            }
        }

        foreach (var field in term.MatchFields ?? [])
        {
            var fields = new Dictionary<string, string> { ["metadata.name"] = node.Metadata.Name };
            if (!ExpressionMatches(field, fields))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ExpressionMatches(V1NodeSelectorRequirement expression, IDictionary<string, string>? labels)
    {
        string? value = null;
        var has = labels is not null && labels.TryGetValue(expression.Key, out value);
        var values = expression.Values ?? [];
        return expression.OperatorProperty switch
        {
            "In" => has && values.Contains(value!),
            "NotIn" => !has || !values.Contains(value!),
            "Exists" => has,
            "DoesNotExist" => !has,
            "Gt" => has && long.TryParse(value, out var a) && values.Count > 0 && long.TryParse(values[0], out var b) && a > b,
            "Lt" => has && long.TryParse(value, out var c) && values.Count > 0 && long.TryParse(values[0], out var d) && c < d,
            _ => false,
        };
    }
}
