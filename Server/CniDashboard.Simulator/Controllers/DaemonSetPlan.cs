using System.Globalization;
using k8s.Models;

namespace CniDashboard.Simulator.Controllers;

/// <summary>What one reconcile of a DaemonSet does: pods to create (by node), pods to delete, and the status to report.</summary>
internal sealed record DaemonSetPlan(IReadOnlyList<string> CreateOnNodes, IReadOnlyList<V1Pod> Delete, V1DaemonSetStatus Status)
{
    public const string RevisionHashLabel = "controller-revision-hash";
    public const string TemplateGenerationLabel = "pod-template-generation";

    /// <summary>
    /// Decides like the real DaemonSet controller with a RollingUpdate strategy: one pod per eligible
    /// node; extra or misplaced pods go; outdated pods are replaced while no more than maxUnavailable
    /// nodes lack an available pod. Outdated pods that are not available anyway go first, without
    /// spending the budget; so a replacement that never becomes Ready holds the rollout where it is.
    /// </summary>
    public static DaemonSetPlan For(V1DaemonSet daemonSet, IReadOnlyList<V1Node> nodes, IReadOnlyList<V1Pod> pods, string currentHash)
    {
        var template = daemonSet.Spec.Template;
        var eligible = nodes
            .Where(n => DaemonSetScheduling.ShouldRun(template, n))
            .Select(n => n.Metadata.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
        var eligibleSet = eligible.ToHashSet(StringComparer.Ordinal);
        var podsByNode = pods
            .GroupBy(p => p.Spec?.NodeName ?? "")
            .ToDictionary(g => g.Key, g => g.OrderBy(p => p.Metadata.CreationTimestamp).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

        var create = new List<string>();
        var delete = new List<V1Pod>();
        var misscheduled = 0;
        foreach (var (node, onNode) in podsByNode)
        {
            if (!eligibleSet.Contains(node))
            {
                misscheduled++;
                delete.AddRange(onNode);
            }
            else if (onNode.Count > 1)
            {
                // Keep the oldest, as the real controller does.
                delete.AddRange(onNode.Skip(1));
            }
        }

        var desired = eligible.Count;
        int scheduled = 0, ready = 0, updated = 0, unavailable = 0;
        var outdatedAvailable = new List<V1Pod>();
        foreach (var node in eligible)
        {
            if (!podsByNode.TryGetValue(node, out var onNode))
            {
                create.Add(node);
                unavailable++;
                continue;
            }

            var pod = onNode[0];
            scheduled++;
            var isReady = IsReady(pod);
            var isCurrent = pod.Metadata.Labels?.TryGetValue(RevisionHashLabel, out var hash) == true && hash == currentHash;
            ready += isReady ? 1 : 0;
            updated += isCurrent ? 1 : 0;
            if (!isReady)
            {
                unavailable++;
            }

            if (!isCurrent && daemonSet.Spec.UpdateStrategy?.Type != "OnDelete")
            {
                if (isReady)
                {
                    outdatedAvailable.Add(pod);
                }
                else
                {
                    delete.Add(pod);
                }
            }
        }

        var budget = MaxUnavailable(daemonSet, desired) - unavailable;
        foreach (var pod in outdatedAvailable)
        {
            if (budget <= 0)
            {
                break;
            }

            delete.Add(pod);
            budget--;
        }

        var status = new V1DaemonSetStatus
        {
            DesiredNumberScheduled = desired,
            CurrentNumberScheduled = scheduled,
            NumberMisscheduled = misscheduled,
            NumberReady = ready,
            UpdatedNumberScheduled = updated,
            NumberAvailable = ready,
            NumberUnavailable = desired - ready,
            ObservedGeneration = daemonSet.Metadata.Generation,
            CollisionCount = daemonSet.Status?.CollisionCount,
            Conditions = daemonSet.Status?.Conditions,
        };
        return new DaemonSetPlan(create, delete, status);
    }

    public static bool IsReady(V1Pod pod) =>
        pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>maxUnavailable as a count: an integer, or a percentage of the desired pods rounded up; never below one.</summary>
    private static int MaxUnavailable(V1DaemonSet daemonSet, int desired)
    {
        var text = daemonSet.Spec.UpdateStrategy?.RollingUpdate?.MaxUnavailable?.Value ?? "1";
        int value;
        if (text.EndsWith('%'))
        {
            var percent = int.Parse(text[..^1], NumberStyles.Integer, CultureInfo.InvariantCulture);
            value = (int)Math.Ceiling(desired * percent / 100.0);
        }
        else
        {
            value = int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
        }

        return Math.Max(1, value);
    }
}
