namespace CniDashboard.Shared.Security;

/// <summary>
/// How people sign in to this dashboard and which groups hold which role, as the UI explains it: the
/// page for a person with no role names the setting that would map their groups, and an Admin sees
/// the whole map. Holds no secret (no client secret, no token).
/// </summary>
/// <param name="Mode">The sign-in mode: <c>oidc</c>, <c>proxy</c> or <c>none</c>.</param>
/// <param name="Issuer">The OpenID Connect issuer (oidc mode).</param>
/// <param name="GroupsSource">Where groups come from, e.g. <c>the "groups" claim</c> or <c>the X-Forwarded-Groups header</c>.</param>
/// <param name="RoleMapSetting">The configuration key of the role map, e.g. <c>Dashboard:Auth:Roles</c>.</param>
/// <param name="GroupsByRole">Every role with the groups mapped to it.</param>
/// <param name="ServiceAccounts">ServiceAccount usernames or groups by role, when ServiceAccount tokens are accepted; otherwise empty.</param>
/// <param name="SignOutPath">Where the app bar's sign-out goes (a POST with an antiforgery token), or null when there is no sign-out.</param>
public sealed record AccessSettings(
    string Mode,
    string? Issuer,
    string GroupsSource,
    string RoleMapSetting,
    IReadOnlyDictionary<DashboardRole, IReadOnlyList<string>> GroupsByRole,
    IReadOnlyDictionary<DashboardRole, IReadOnlyList<string>> ServiceAccounts,
    string? SignOutPath)
{
    /// <summary>The settings when nobody signs in: everyone is a Viewer on a loopback listener.</summary>
    public static AccessSettings NoSignIn { get; } = new("none", null, "no sign-in", "Dashboard:Auth:Mode", new Dictionary<DashboardRole, IReadOnlyList<string>>(), new Dictionary<DashboardRole, IReadOnlyList<string>>(), null);
}

/// <summary>
/// Records a refusal the UI itself made (a page the person's roles do not allow, reached inside an
/// open circuit), in the audit log, as the server's own refusals are recorded.
/// </summary>
public interface IAccessDenials
{
    /// <summary>Records that the current person was refused <paramref name="resource"/> (e.g. a page's path).</summary>
    Task RecordAsync(string resource, CancellationToken cancellationToken);
}
