namespace CniDashboard.Shared.Security;

/// <summary>
/// The claims of a signed-in person as the dashboard keeps them, whatever the sign-in mode: the
/// server builds exactly these from the identity provider's token, the proxy's headers or a
/// ServiceAccount's review, and the UI reads only these.
/// </summary>
public static class DashboardClaimTypes
{
    /// <summary>Stable id: the OIDC <c>sub</c>, the proxy's user, the ServiceAccount's username.</summary>
    public const string Subject = "cni-dashboard/sub";

    /// <summary>Name shown in the app bar and the audit log.</summary>
    public const string Name = "cni-dashboard/name";

    /// <summary>E-mail, when the identity provider or proxy sends one.</summary>
    public const string Email = "cni-dashboard/email";

    /// <summary>One claim per group (or IdP role) the person holds, as the roles claim or header carried it.</summary>
    public const string Group = "cni-dashboard/group";

    /// <summary>One claim per dashboard role, from the role map.</summary>
    public const string Role = "cni-dashboard/role";

    /// <summary>How the person signed in: <c>oidc</c>, <c>bearer</c>, <c>proxy</c>, <c>serviceaccount</c> or <c>none</c>.</summary>
    public const string Method = "cni-dashboard/method";

    /// <summary>
    /// Set when the identity provider left the groups out of the token because there were too many
    /// (Entra ID's groups overage): the person's groups are unknown, not empty.
    /// </summary>
    public const string GroupsOverage = "cni-dashboard/groups-overage";

    /// <summary>The authentication type of every dashboard identity.</summary>
    public const string AuthenticationType = "cni-dashboard";
}
