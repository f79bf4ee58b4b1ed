using System.Security.Claims;
using CniDashboard.Server.Audit;
using CniDashboard.Shared.Security;

namespace CniDashboard.Server.Auth;

/// <summary>
/// The one shape of a signed-in caller, whatever the mode: built here from what the identity
/// provider, proxy or TokenReview said, and read back here for policies and the audit log.
/// </summary>
public static class DashboardIdentity
{
    /// <summary>Groups kept in a session besides the mapped ones: enough to explain a missing role, small enough for a cookie.</summary>
    public const int MaxUnmappedGroups = 50;

    /// <summary>How a caller signed in.</summary>
    public static class Methods
    {
        public const string Oidc = "oidc";
        public const string Bearer = "bearer";
        public const string Proxy = "proxy";
        public const string ServiceAccount = "serviceaccount";
        public const string None = "none";
    }

    /// <summary>Builds the caller's principal; <paramref name="roles"/> come from the role map.</summary>
    public static ClaimsPrincipal Create(
        string subject,
        string? name,
        string? email,
        IEnumerable<string> groups,
        IReadOnlyList<DashboardRole> roles,
        string method,
        RoleMap? map = null,
        bool groupsOverage = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        var identity = new ClaimsIdentity(DashboardClaimTypes.AuthenticationType, DashboardClaimTypes.Name, DashboardClaimTypes.Role);
        identity.AddClaim(new Claim(DashboardClaimTypes.Subject, subject));
        identity.AddClaim(new Claim(DashboardClaimTypes.Name, string.IsNullOrWhiteSpace(name) ? (string.IsNullOrWhiteSpace(email) ? subject : email) : name));
        if (!string.IsNullOrWhiteSpace(email)) identity.AddClaim(new Claim(DashboardClaimTypes.Email, email));
        identity.AddClaim(new Claim(DashboardClaimTypes.Method, method));
        var distinct = groups.Where(g => !string.IsNullOrWhiteSpace(g)).Distinct(StringComparer.Ordinal).ToArray();
        // Every group that maps to a role, then others up to the cap (shown on the no-access page).
        var kept = map is null
            ? distinct.Take(MaxUnmappedGroups)
            : distinct.Where(g => map.RolesOf([g]).Count > 0).Concat(distinct.Where(g => map.RolesOf([g]).Count == 0).Take(MaxUnmappedGroups));
        foreach (var group in kept) identity.AddClaim(new Claim(DashboardClaimTypes.Group, group));
        foreach (var role in roles.Distinct()) identity.AddClaim(new Claim(DashboardClaimTypes.Role, role.ToString()));
        if (groupsOverage) identity.AddClaim(new Claim(DashboardClaimTypes.GroupsOverage, "true"));
        return new ClaimsPrincipal(identity);
    }

    /// <summary>The dashboard roles <paramref name="user"/> holds (none for anyone not signed in).</summary>
    public static IReadOnlyList<DashboardRole> RolesOf(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true) return [];
        return [.. user.FindAll(DashboardClaimTypes.Role)
            .Select(c => Enum.TryParse<DashboardRole>(c.Value, out var role) ? role : (DashboardRole?)null)
            .OfType<DashboardRole>()
            .Distinct()
            .Order()];
    }

    /// <summary>The audit log's actor for <paramref name="user"/>; an anonymous caller is <c>anonymous</c>.</summary>
    public static AuditActor ToActor(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true || user.FindFirst(DashboardClaimTypes.Subject) is not { } subject)
        {
            return new AuditActor("anonymous", "anonymous", [], "anonymous");
        }

        return new AuditActor(
            subject.Value,
            user.FindFirst(DashboardClaimTypes.Name)?.Value ?? subject.Value,
            RolesOf(user),
            user.FindFirst(DashboardClaimTypes.Method)?.Value ?? "unknown");
    }
}
