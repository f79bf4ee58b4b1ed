namespace CniDashboard.Simulator.KubeApi.Auth;

/// <summary>
/// One RBAC-like grant: these verbs on these resources (plural names such as <c>pods</c>, with
/// <c>nodes/status</c> for a subresource). <c>*</c> matches every verb or resource.
/// </summary>
public sealed record AccessRule(IReadOnlyList<string> Verbs, IReadOnlyList<string> Resources)
{
    public bool Allows(string verb, string resource) =>
        (Verbs.Contains("*") || Verbs.Contains(verb)) && (Resources.Contains("*") || Resources.Contains(resource));
}
