namespace CniDashboard.Simulator.KubeApi.Auth;

/// <summary>A user the emulated API server knows, and what it may do.</summary>
public sealed record KubeIdentity(string Username, IReadOnlyList<AccessRule> Rules);

/// <summary>
/// The fixed identity table: the product's two ServiceAccounts with the least privilege the Helm
/// chart grants them, and an administrator for simulator set-up and kubectl-like tools.
/// </summary>
public static class KubeIdentities
{
    public const string ProductNamespace = "cni-dashboard";
    public const string DashboardServiceAccount = "cni-dashboard";
    public const string AgentServiceAccount = "cni-dashboard-agent";

    /// <summary>Where Cilium keeps its configuration, which the dashboard reads (and nothing else of that kind).</summary>
    public const string CiliumNamespace = "kube-system";
    public const string CiliumConfigMap = "cilium-config";

    /// <summary>The ConfigMap in the product's namespace whose annotation holds the dashboard's signed audit checkpoint.</summary>
    public const string AuditCheckpointConfigMap = "cni-dashboard-audit-checkpoint";

    /// <summary>
    /// The dashboard: watches the cluster, reads Cilium's ConfigMap (a Role in kube-system limited to
    /// that name, as the Helm chart grants), reads and patches its audit checkpoint ConfigMap (a Role
    /// in its own namespace limited to that name), cordons, restarts pods, holds the remediation Lease, reviews tokens.
    /// </summary>
    public static KubeIdentity Dashboard { get; } = new(
        ServiceAccountUsername(ProductNamespace, DashboardServiceAccount),
        [
            new AccessRule(["get", "list", "watch"], ["nodes", "pods", "events", "daemonsets", "namespaces"]),
            new AccessRule(["get", "list", "watch"], ["configmaps"]) { Namespaces = [CiliumNamespace], ResourceNames = [CiliumConfigMap] },
            new AccessRule(["get", "patch"], ["configmaps"]) { Namespaces = [ProductNamespace], ResourceNames = [AuditCheckpointConfigMap] },
            new AccessRule(["patch"], ["nodes"]),
            new AccessRule(["delete"], ["pods"]),
            new AccessRule(["get", "create", "update"], ["leases"]),
            new AccessRule(["create"], ["tokenreviews"]),
        ]);

    /// <summary>The node agent: only checks the bearer tokens presented to it.</summary>
    public static KubeIdentity Agent { get; } = new(
        ServiceAccountUsername(ProductNamespace, AgentServiceAccount),
        [new AccessRule(["create"], ["tokenreviews"])]);

    /// <summary>Everything, for simulator set-up and tests; never given to product code.</summary>
    public static KubeIdentity ClusterAdmin { get; } = new("kubernetes-admin", [new AccessRule(["*"], ["*"])]);

    public static IReadOnlyList<KubeIdentity> Defaults { get; } = [Dashboard, Agent, ClusterAdmin];

    public static string ServiceAccountUsername(string @namespace, string serviceAccount) =>
        $"system:serviceaccount:{@namespace}:{serviceAccount}";
}
