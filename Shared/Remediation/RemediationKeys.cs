using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace CniDashboard.Shared.Remediation;

/// <summary>
/// Every name the engine puts into the world, derived from the plan so that repeating a side effect
/// after a crash hits the same object: agent change ids, probe pod and Event names, the node
/// annotations, the Lease, the user agent. The same inputs always give the same key.
/// </summary>
public static partial class RemediationKeys
{
    /// <summary>The Lease (in the dashboard's namespace) held while a plan runs, so two dashboards never act at once.</summary>
    public const string LeaseName = "cni-dashboard-remediation";

    /// <summary>Node annotation: the id of the plan working on the node (set with the cordon, removed with the uncordon).</summary>
    public const string PlanAnnotation = "cni-dashboard.io/remediation-plan";

    /// <summary>Node annotation: <c>true</c> when that plan cordoned the node (and so must uncordon it), <c>false</c> when it was cordoned already or not cordoned.</summary>
    public const string CordonedAnnotation = "cni-dashboard.io/cordoned-by-plan";

    /// <summary>Label on probe pods, with the plan id as value.</summary>
    public const string ProbeLabel = "cni-dashboard.io/probe-for-plan";

    /// <summary>The kured DaemonSet annotation that holds its reboot lock (kube-system/kured by default).</summary>
    public const string KuredLockAnnotation = "weave.works/kured-node-lock";

    /// <summary>True for an id a plan may have: 1–40 of <c>a-z</c>, <c>0-9</c>, <c>-</c>, starting with a letter or digit (it goes into annotations, pod names, change ids).</summary>
    public static bool IsPlanId(string? id) => id is not null && PlanIdPattern().IsMatch(id);

    /// <summary>Operation name of an apply (replace or delete) in change ids.</summary>
    public const string ApplyOperation = "apply";

    /// <summary>Operation name of a restore in change ids.</summary>
    public const string RestoreOperation = "restore";

    /// <summary>
    /// The agent change id of applying (<see cref="ApplyOperation"/>) or restoring
    /// (<see cref="RestoreOperation"/>) <paramref name="file"/> on <paramref name="node"/>:
    /// <c>{plan}.{operation}.{24 hex}</c>, at most 73 characters of the set the agent accepts. A plan
    /// applies a file of a node at most once and restores it at most once, so the id names exactly one
    /// write: re-sending it after the agent made it is answered as a replay, never written twice.
    /// </summary>
    public static string ChangeId(string planId, string node, string file, string operation) =>
        $"{planId}.{operation}.{Hex(planId, node, file, operation)[..24]}";

    /// <summary>
    /// The probe pod of a node's verification attempt (a DNS-1123 label): created again after a crash it
    /// already exists; a retried verification is a new attempt and gets a new pod.
    /// </summary>
    public static string ProbePodName(string planId, string node, int attempt) =>
        $"cni-dashboard-probe-{Hex(planId, node, "probe", attempt.ToString(System.Globalization.CultureInfo.InvariantCulture))[..12]}";

    /// <summary>
    /// The name of the node Event marking a fix's <paramref name="moment"/> (<c>started</c>, <c>finished</c>,
    /// <c>failed</c>, …), named as the kubelet names events: <c>{node}.{16 hex}</c>. Created again after a
    /// crash, it already exists.
    /// </summary>
    public static string EventName(string planId, string node, string moment)
    {
        var prefix = node.Length > 200 ? node[..200] : node;
        return $"{prefix}.{Hex(planId, node, "event", moment)[..16]}";
    }

    /// <summary>The User-Agent of the engine's calls to the Kubernetes API: names the dashboard and the plan, so the cluster's audit log ties back to ours.</summary>
    public static string UserAgent(string dashboardVersion, string planId) => $"cni-dashboard/{dashboardVersion} (remediation; plan {planId})";

    private static string Hex(params string[] parts)
    {
        // NUL-separated: no two different part lists give the same bytes.
        var bytes = Encoding.UTF8.GetBytes(string.Join('\0', parts));
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex PlanIdPattern();
}
