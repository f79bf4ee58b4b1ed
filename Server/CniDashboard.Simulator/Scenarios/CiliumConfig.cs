using k8s.Models;

namespace CniDashboard.Simulator.Scenarios;

/// <summary>
/// Cilium's <c>kube-system/cilium-config</c> ConfigMap as its Helm chart renders it for
/// <c>aws-cni</c> chaining. <c>cni-exclusive</c> is the knob that matters here: Linkerd's and
/// Cilium's docs say <c>false</c> when chaining (the chart's default is <c>true</c>).
/// </summary>
public static class CiliumConfig
{
    public const string Namespace = CniDaemonSets.KubeSystem;
    public const string Name = "cilium-config";
    public const string ExclusiveKey = "cni-exclusive";

    /// <summary>The ConfigMap a chaining install has; <paramref name="exclusive"/> sets <c>cni-exclusive</c>.</summary>
    public static V1ConfigMap Create(bool exclusive) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta
        {
            Name = Name,
            NamespaceProperty = Namespace,
            Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "Helm" },
            Annotations = new Dictionary<string, string> { ["meta.helm.sh/release-name"] = "cilium", ["meta.helm.sh/release-namespace"] = Namespace },
        },
        Data = new Dictionary<string, string>
        {
            ["cluster-name"] = "default",
            ["cni-chaining-mode"] = "aws-cni",
            [ExclusiveKey] = Flag(exclusive),
            ["custom-cni-conf"] = "false",
            ["enable-endpoint-routes"] = "true",
            ["enable-ipv4"] = "true",
            ["enable-ipv4-masquerade"] = "false",
            ["enable-ipv6"] = "false",
            ["ipam"] = "cluster-pool",
            ["routing-mode"] = "native",
        },
    };

    /// <summary>
    /// Whether the ConfigMap asks for exclusive mode. Cilium reads its configuration when its agent
    /// starts, so a change takes effect on the next pod start; no ConfigMap (or no key) reads as false.
    /// </summary>
    public static bool IsExclusive(V1ConfigMap? configMap) =>
        configMap?.Data is { } data && data.TryGetValue(ExclusiveKey, out var value) && bool.TryParse(value?.Trim(), out var exclusive) && exclusive;

    /// <summary>The value as a ConfigMap holds it.</summary>
    public static string Flag(bool value) => value ? "true" : "false";
}
