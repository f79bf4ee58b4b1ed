using System.Net;
using System.Text.Encodings.Web;
using CniDashboard.Shared.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Auth;

/// <summary>
/// <c>none</c> mode: nobody signs in and everyone is a read-only Viewer — only for connections from
/// loopback (the dashboard then listens on loopback only; <c>kubectl port-forward</c> arrives there).
/// </summary>
public sealed class NoSignInHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : DashboardAuthenticationHandler(options, logger, encoder)
{
    /// <summary>The subject every person has in none mode.</summary>
    public const string Subject = "local";

    private static readonly System.Security.Claims.ClaimsPrincipal Viewer =
        DashboardIdentity.Create(Subject, "local (no sign-in)", null, [], [DashboardRole.Viewer], DashboardIdentity.Methods.None);

    /// <inheritdoc />
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var peer = ConnectionPeer.Of(Context);
        return Task.FromResult(peer is not null && IPAddress.IsLoopback(peer)
            ? AuthenticateResult.Success(new AuthenticationTicket(Viewer, Scheme.Name))
            : AuthenticateResult.NoResult());
    }
}
