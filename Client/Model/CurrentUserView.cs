using System.Security.Claims;
using CniDashboard.Shared.Security;

namespace CniDashboard.Client.Model;

/// <summary>The signed-in person as the app bar and the access pages show them, read from the dashboard's own claims.</summary>
/// <param name="IsSignedIn">False for nobody (not signed in, or the session ended).</param>
/// <param name="Name">Name shown.</param>
/// <param name="Email">E-mail, when known.</param>
/// <param name="Roles">Dashboard roles held.</param>
/// <param name="Groups">Groups (or IdP roles) the sign-in carried.</param>
/// <param name="Method">How they signed in: <c>oidc</c>, <c>proxy</c>, <c>none</c>, ….</param>
/// <param name="GroupsOverage">The identity provider left the groups out (too many): they are unknown, not empty.</param>
public sealed record CurrentUserView(
    bool IsSignedIn,
    string Name,
    string? Email,
    IReadOnlyList<DashboardRole> Roles,
    IReadOnlyList<string> Groups,
    string Method,
    bool GroupsOverage)
{
    /// <summary>Nobody.</summary>
    public static CurrentUserView Nobody { get; } = new(false, "not signed in", null, [], [], "", false);

    /// <summary>Reads <paramref name="user"/>.</summary>
    public static CurrentUserView From(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true) return Nobody;
        return new CurrentUserView(
            true,
            user.FindFirst(DashboardClaimTypes.Name)?.Value ?? user.Identity.Name ?? "signed in",
            user.FindFirst(DashboardClaimTypes.Email)?.Value,
            [.. user.FindAll(DashboardClaimTypes.Role).Select(c => Enum.TryParse<DashboardRole>(c.Value, out var r) ? r : (DashboardRole?)null).OfType<DashboardRole>().Distinct().Order()],
            [.. user.FindAll(DashboardClaimTypes.Group).Select(c => c.Value)],
            user.FindFirst(DashboardClaimTypes.Method)?.Value ?? "",
            user.HasClaim(c => c.Type == DashboardClaimTypes.GroupsOverage));
    }

    /// <summary>The roles as one line, e.g. <c>Operator, Approver</c>, or <c>no role</c>.</summary>
    public string RolesText => Roles.Count == 0 ? "no role" : string.Join(", ", Roles);

    /// <summary>What each role may do, in a sentence.</summary>
    public static string Describe(DashboardRole role) => role switch
    {
        DashboardRole.Viewer => "reads everything, changes nothing",
        DashboardRole.Operator => "creates remediation plans and runs approved ones",
        DashboardRole.Approver => "approves or rejects plans (never their own while the two-person rule is on)",
        DashboardRole.Admin => "changes settings and may do everything",
        _ => "",
    };
}
