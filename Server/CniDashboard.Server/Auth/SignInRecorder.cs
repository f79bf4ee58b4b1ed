using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Json.Nodes;
using CniDashboard.Server.Audit;
using CniDashboard.Shared.Security;

namespace CniDashboard.Server.Auth;

/// <summary>
/// Records sign-ins of callers that present their identity on every request (proxy headers, bearer
/// tokens): once per identity and role set per session lifetime, not once per request, so the audit
/// log says who came in without drowning in repeats. Browser sign-ins (OIDC) are recorded at the callback.
/// </summary>
public sealed class SignInRecorder(TimeProvider time, Microsoft.Extensions.Options.IOptions<Options.DashboardOptions> options)
{
    private const int MaxRemembered = 10_000;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly TimeSpan _window = options.Value.Auth.SessionLifetime;

    /// <summary>Appends a sign-in entry for <paramref name="user"/> unless one was appended within the window.</summary>
    public async Task RecordAsync(HttpContext context, ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(context);
        var actor = DashboardIdentity.ToActor(user);
        var key = $"{actor.Method}\n{actor.Subject}\n{string.Join(',', actor.Roles)}";
        var now = time.GetUtcNow();
        if (_seen.TryGetValue(key, out var last) && now - last < _window) return;
        if (_seen.Count >= MaxRemembered) _seen.Clear();
        await RequestAudit.AppendAsync(context, user, AuditActions.SignIn, actor.Roles.Count > 0 ? AuditOutcome.Ok : AuditOutcome.Denied, null, GroupsDetail(user)).ConfigureAwait(false);
        _seen[key] = now;
    }

    /// <summary>The groups a sign-in entry lists (names only; they explain the roles).</summary>
    public static JsonObject GroupsDetail(ClaimsPrincipal user) =>
        new() { ["groups"] = new JsonArray([.. user.FindAll(DashboardClaimTypes.Group).Select(c => (JsonNode?)JsonValue.Create(c.Value))]) };
}
