namespace CniDashboard.Simulator.KubeApi.Auth;

/// <summary>The authorizer: a user may do what its identity's rules grant, and nothing else.</summary>
internal sealed class AccessPolicy
{
    private readonly Dictionary<string, KubeIdentity> _byUsername;

    public AccessPolicy(IEnumerable<KubeIdentity> identities)
    {
        _byUsername = identities.ToDictionary(i => i.Username, StringComparer.Ordinal);
    }

    /// <summary>True when one of the user's rules covers the request (see <see cref="AccessRule.Allows"/>).</summary>
    public bool Allows(KubeUser user, string verb, string resource, string? @namespace = null, string? name = null) =>
        _byUsername.TryGetValue(user.Username, out var identity) && identity.Rules.Any(rule => rule.Allows(verb, resource, @namespace, name));

    /// <summary>The real server's refusal, e.g. <c>nodes is forbidden: User "…" cannot list resource "nodes" in API group "" at the cluster scope</c>.</summary>
    public static KubeApiException Forbidden(KubeUser user, string verb, KubeResource resource, string? subresource, string? @namespace, string? name)
    {
        var target = name is null ? resource.QualifiedName : $"{resource.QualifiedName} \"{name}\"";
        var resourceName = subresource is null ? resource.Plural : $"{resource.Plural}/{subresource}";
        var scope = @namespace is null ? "at the cluster scope" : $"in the namespace \"{@namespace}\"";
        return KubeApiException.Forbidden(
            $"{target} is forbidden: User \"{user.Username}\" cannot {verb} resource \"{resourceName}\" in API group \"{resource.Group}\" {scope}",
            resource,
            name);
    }
}
