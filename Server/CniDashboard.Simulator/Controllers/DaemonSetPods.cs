using k8s;
using k8s.Models;

namespace CniDashboard.Simulator.Controllers;

/// <summary>The pod the DaemonSet controller creates for one node from the DaemonSet's template.</summary>
internal static class DaemonSetPods
{
    public static V1Pod For(V1DaemonSet daemonSet, string nodeName, string revisionHash)
    {
        var template = daemonSet.Spec.Template;
        var spec = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(template.Spec ?? new V1PodSpec { Containers = [] }));
        spec.NodeName = nodeName;
        var tolerations = spec.Tolerations ?? [];
        foreach (var toleration in DaemonSetScheduling.DefaultTolerations)
        {
            if (!tolerations.Any(t => t.Key == toleration.Key && t.Effect == toleration.Effect))
            {
                tolerations.Add(toleration);
            }
        }

        spec.Tolerations = tolerations;

        var labels = new Dictionary<string, string>(template.Metadata?.Labels ?? new Dictionary<string, string>())
        {
            [DaemonSetPlan.RevisionHashLabel] = revisionHash,
            [DaemonSetPlan.TemplateGenerationLabel] = (daemonSet.Metadata.Generation ?? 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        return new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                GenerateName = daemonSet.Metadata.Name + "-",
                NamespaceProperty = daemonSet.Metadata.NamespaceProperty,
                Labels = labels,
                Annotations = template.Metadata?.Annotations is { } annotations ? new Dictionary<string, string>(annotations) : null,
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = KubeApi.KubeResource.DaemonSets.ApiVersion,
                        Kind = KubeApi.KubeResource.DaemonSets.Kind,
                        Name = daemonSet.Metadata.Name,
                        Uid = daemonSet.Metadata.Uid,
                        Controller = true,
                        BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = spec,
        };
    }
}
