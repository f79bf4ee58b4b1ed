namespace CniDashboard.Simulator.KubeApi;

/// <summary>
/// One REST resource the emulator serves, described the way discovery and error messages name it.
/// </summary>
/// <param name="Group">API group; empty for the core ("legacy") group.</param>
/// <param name="Version">API version within the group.</param>
/// <param name="Plural">The path segment, e.g. <c>pods</c>.</param>
/// <param name="Kind">The object kind, e.g. <c>Pod</c>.</param>
/// <param name="Namespaced">Whether objects live in a namespace.</param>
/// <param name="ShortNames">Short names announced in discovery (kubectl uses them).</param>
public sealed record KubeResource(string Group, string Version, string Plural, string Kind, bool Namespaced, IReadOnlyList<string> ShortNames)
{
    public static readonly KubeResource Nodes = new("", "v1", "nodes", "Node", false, ["no"]);
    public static readonly KubeResource Pods = new("", "v1", "pods", "Pod", true, ["po"]);
    public static readonly KubeResource Events = new("", "v1", "events", "Event", true, ["ev"]);
    public static readonly KubeResource Namespaces = new("", "v1", "namespaces", "Namespace", false, ["ns"]);
    public static readonly KubeResource ConfigMaps = new("", "v1", "configmaps", "ConfigMap", true, ["cm"]);
    public static readonly KubeResource DaemonSets = new("apps", "v1", "daemonsets", "DaemonSet", true, ["ds"]);
    public static readonly KubeResource Leases = new("coordination.k8s.io", "v1", "leases", "Lease", true, []);
    public static readonly KubeResource TokenReviews = new("authentication.k8s.io", "v1", "tokenreviews", "TokenReview", false, []);

    /// <summary>The <c>apiVersion</c> field value: <c>v1</c> or <c>group/version</c>.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The list kind, e.g. <c>PodList</c>.</summary>
    public string ListKind => Kind + "List";

    /// <summary>
    /// The name the API server uses in messages: <c>pods</c> for the core group,
    /// <c>leases.coordination.k8s.io</c> otherwise.
    /// </summary>
    public string QualifiedName => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>Every resource the emulator serves, in discovery order.</summary>
    public static IReadOnlyList<KubeResource> All { get; } = [Nodes, Pods, Events, Namespaces, ConfigMaps, DaemonSets, Leases, TokenReviews];

    public bool Equals(KubeResource? other) =>
        other is not null && Group == other.Group && Version == other.Version && Plural == other.Plural;

    public override int GetHashCode() => HashCode.Combine(Group, Version, Plural);
}
