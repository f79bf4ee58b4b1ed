using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace CniDashboard.Server.Auth;

/// <summary>
/// Browser sessions that ended before their cookie expires: signed out here. The cookie of a session
/// signed out is refused from then on (a copy taken before sign-out does not work after it), and open
/// circuits of that session lose their user at the next revalidation. Kept in memory until each
/// session's own expiry; a restart forgets them (the cookie then lives until it expires).
/// </summary>
public sealed class SessionRevocations(TimeProvider time)
{
    /// <summary>The claim holding the browser session's id.</summary>
    public const string SessionIdClaim = "cni-dashboard/sid";

    /// <summary>The claim holding when the session ends (Unix seconds).</summary>
    public const string ExpiresClaim = "cni-dashboard/session-expires";

    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);

    /// <summary>Adds the session id and end to a new session's principal.</summary>
    public static void Stamp(ClaimsPrincipal principal, DateTimeOffset expires)
    {
        var identity = (ClaimsIdentity)principal.Identity!;
        identity.AddClaim(new Claim(SessionIdClaim, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16))));
        identity.AddClaim(new Claim(ExpiresClaim, expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Ends <paramref name="principal"/>'s session now.</summary>
    public void Revoke(ClaimsPrincipal principal)
    {
        if (principal.FindFirst(SessionIdClaim)?.Value is not { } id) return;
        var now = time.GetUtcNow();
        if (_revoked.Count >= MaxEntries)
        {
            foreach (var (key, until) in _revoked) if (until <= now) _revoked.TryRemove(key, out _);
        }

        _revoked[id] = ExpiresOf(principal) ?? now.AddDays(30);
    }

    /// <summary>False when the session was signed out or has ended; true for callers without a browser session.</summary>
    public bool IsCurrent(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true) return true;
        var id = principal.FindFirst(SessionIdClaim)?.Value;
        if (id is null) return true;
        if (_revoked.ContainsKey(id)) return false;
        return ExpiresOf(principal) is not { } expires || expires > time.GetUtcNow();
    }

    private static DateTimeOffset? ExpiresOf(ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirst(ExpiresClaim)?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
}

/// <summary>Every minute, an open circuit checks that its session is still current; when not, the page shows the person is signed out.</summary>
public sealed class SessionRevalidation(ILoggerFactory loggers, SessionRevocations sessions) : RevalidatingServerAuthenticationStateProvider(loggers)
{
    /// <inheritdoc />
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    /// <inheritdoc />
    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        Task.FromResult(sessions.IsCurrent(authenticationState.User));
}
