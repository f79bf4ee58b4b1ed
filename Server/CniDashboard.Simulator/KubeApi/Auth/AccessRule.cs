namespace CniDashboard.Simulator.KubeApi.Auth;

/// <summary>
/// One RBAC-like grant: these verbs on these resources (plural names such as <c>pods</c>, with
/// <c>nodes/status</c> for a subresource). <c>*</c> matches every verb or resource.
/// </summary>
public sealed record AccessRule(IReadOnlyList<string> Verbs, IReadOnlyList<string> Resources)
{
    /// <summary>The namespaces the grant holds in, as a Role bound there would; empty for a ClusterRole's (everywhere).</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>
    /// RBAC <c>resourceNames</c>: the objects the grant is limited to; empty for any. A request that
    /// names no object (a list or watch without a <c>metadata.name</c> field selector, a create) never matches.
    /// </summary>
    public IReadOnlyList<string> ResourceNames { get; init; } = [];

    /// <summary>True when the grant covers the request.</summary>
    /// <param name="verb">The request's verb.</param>
    /// <param name="resource">The resource, with <c>/subresource</c> when there is one.</param>
    /// <param name="namespace">The request's namespace; null for a cluster-scoped or all-namespaces request.</param>
    /// <param name="name">The object the request names (for list and watch, from a <c>metadata.name</c> field selector).</param>
    public bool Allows(string verb, string resource, string? @namespace = null, string? name = null) =>
        (Verbs.Contains("*") || Verbs.Contains(verb))
        && (Resources.Contains("*") || Resources.Contains(resource))
        && (Namespaces.Count == 0 || (@namespace is not null && Namespaces.Contains(@namespace)))
        && (ResourceNames.Count == 0 || (name is not null && ResourceNames.Contains(name)));
}
