using CniDashboard.Simulator.KubeApi.Auth;
using k8s.Models;

namespace CniDashboard.Simulator.Scenarios;

/// <summary>
/// <c>cni-dashboard/cni-dashboard-audit-checkpoint</c>, empty, as the dashboard's Helm chart creates
/// it: the dashboard keeps its signed audit checkpoint in an annotation on it (get and patch on that
/// name are all its Role grants).
/// </summary>
public static class AuditCheckpointConfigMap
{
    public const string Namespace = KubeIdentities.ProductNamespace;
    public const string Name = KubeIdentities.AuditCheckpointConfigMap;

    /// <summary>The ConfigMap as the chart renders it.</summary>
    public static V1ConfigMap Create() => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta
        {
            Name = Name,
            NamespaceProperty = Namespace,
            Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "Helm", ["app.kubernetes.io/name"] = "cni-dashboard" },
            Annotations = new Dictionary<string, string> { ["meta.helm.sh/release-name"] = "cni-dashboard", ["meta.helm.sh/release-namespace"] = Namespace },
        },
    };
}
