using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Auth;

/// <summary>The authentication schemes; <see cref="Dashboard"/> picks one per request.</summary>
public static class DashboardSchemes
{
    /// <summary>The default scheme: forwards to the one that fits the request and the mode.</summary>
    public const string Dashboard = "dashboard";

    /// <summary>The browser session (oidc mode).</summary>
    public const string Cookie = "cookie";

    /// <summary>OpenID Connect sign-in (oidc mode).</summary>
    public const string Oidc = "oidc";

    /// <summary>Bearer JWTs from the issuer (oidc mode, API and hub).</summary>
    public const string Bearer = "bearer";

    /// <summary>Kubernetes ServiceAccount tokens (API and hub).</summary>
    public const string ServiceAccount = "serviceaccount";

    /// <summary>The authenticating proxy's headers (proxy mode).</summary>
    public const string Proxy = "proxy";

    /// <summary>Nobody signs in (none mode).</summary>
    public const string None = "none";
}

/// <summary>
/// Shared behaviour of the dashboard's own handlers: a refused page request goes to the page that
/// explains it; the API and the hub get status codes.
/// </summary>
public abstract class DashboardAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    System.Text.Encodings.Web.UrlEncoder encoder) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <inheritdoc />
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (AuthPaths.IsProgrammatic(Request.Path))
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
        }
        else
        {
            Response.Redirect(AuthPaths.NoAccess);
        }

        return Task.CompletedTask;
    }
}
