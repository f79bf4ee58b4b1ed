using CniDashboard.Shared.Remediation;

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

    /// <summary>The namespace of Events about cluster-scoped objects (a Node's Events live here).</summary>
    public const string DefaultNamespace = "default";

    /// <summary>Namespaces of the CNI DaemonSets whose pods the remediation engine restarts (the chart's default components).</summary>
    public static IReadOnlyList<string> CniNamespaces { get; } = ["kube-system", "linkerd-cni", "istio-system"];

    /// <summary>The ConfigMap in the product's namespace whose annotation holds the dashboard's signed audit checkpoint.</summary>
    public const string AuditCheckpointConfigMap = "cni-dashboard-audit-checkpoint";

    /// <summary>The Lease replicas of the dashboard elect their leader on (the chart grants it with <c>store.provider=postgres</c>).</summary>
    public const string LeaderLease = "cni-dashboard-leader";

    /// <summary>
    /// The dashboard, with exactly the grants the Helm chart gives it (deploy/helm/cni-dashboard/templates/dashboard-rbac.yaml):
    /// watches the cluster (including kured's DaemonSet and its lock), reads Cilium's ConfigMap by name, and —
    /// for the remediation engine — cordons and annotates nodes, restarts CNI pods in their namespaces,
    /// records node Events, runs probe pods in its own namespace, and holds the remediation Lease; and it
    /// reads and patches its audit checkpoint ConfigMap (limited to that name).
    /// </summary>
    public static KubeIdentity Dashboard { get; } = new(
        ServiceAccountUsername(ProductNamespace, DashboardServiceAccount),
        [
            new AccessRule(["get", "list", "watch"], ["nodes", "pods", "events", "daemonsets", "namespaces"]),
            new AccessRule(["get", "list", "watch"], ["configmaps"]) { Namespaces = [CiliumNamespace], ResourceNames = [CiliumConfigMap] },
            // The audit log's signed checkpoint: get and patch that one ConfigMap, which the chart creates.
            new AccessRule(["get", "patch"], ["configmaps"]) { Namespaces = [ProductNamespace], ResourceNames = [AuditCheckpointConfigMap] },
            // Cordon, uncordon and the plan's annotation on the node being fixed.
            new AccessRule(["patch"], ["nodes"]),
            // The CNI pod on the node being fixed, so its DaemonSet re-creates it.
            new AccessRule(["delete"], ["pods"]) { Namespaces = CniNamespaces },
            // "kubectl describe node" shows when a fix started and ended.
            new AccessRule(["create"], ["events"]) { Namespaces = [DefaultNamespace] },
            // Probe pods pinned to the node being verified (reading them is part of the first rule).
            new AccessRule(["create", "delete"], ["pods"]) { Namespaces = [ProductNamespace] },
            // One dashboard remediates at a time; create cannot be limited to a name.
            new AccessRule(["get", "update"], ["leases"]) { Namespaces = [ProductNamespace], ResourceNames = [RemediationKeys.LeaseName] },
            // Replicas on PostgreSQL elect a leader on their own Lease.
            new AccessRule(["get", "update"], ["leases"]) { Namespaces = [ProductNamespace], ResourceNames = [LeaderLease] },
            new AccessRule(["create"], ["leases"]) { Namespaces = [ProductNamespace] },
            new AccessRule(["create"], ["tokenreviews"]),
        ]);

    /// <summary>
    /// The node agent: checks the bearer tokens presented to it, and announces its manifest hash by
    /// patching its own Pod — which <see cref="AnnouncementAdmission"/> (the chart's
    /// ValidatingAdmissionPolicy) narrows to one annotation on the Pod of the token's own node.
    /// </summary>
    public static KubeIdentity Agent { get; } = new(
        ServiceAccountUsername(ProductNamespace, AgentServiceAccount),
        [
            new AccessRule(["create"], ["tokenreviews"]),
            new AccessRule(["patch"], ["pods"]) { Namespaces = [ProductNamespace] },
        ]);

    /// <summary>Everything, for simulator set-up and tests; never given to product code.</summary>
    public static KubeIdentity ClusterAdmin { get; } = new("kubernetes-admin", [new AccessRule(["*"], ["*"])]);

    public static IReadOnlyList<KubeIdentity> Defaults { get; } = [Dashboard, Agent, ClusterAdmin];

    public static string ServiceAccountUsername(string @namespace, string serviceAccount) =>
        $"system:serviceaccount:{@namespace}:{serviceAccount}";
}
