using System.Text.Encodings.Web;
using CniDashboard.Server.Options;
using CniDashboard.Shared.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Auth;

/// <summary>
/// <c>proxy</c> mode: the person is who the authenticating proxy (oauth2-proxy) says, in its
/// identity headers — only on connections from <see cref="ProxyAuthOptions.TrustedNetworks"/>.
/// Identity headers from anywhere else never reach here: <see cref="ForgedProxyHeaders"/> refuses them first.
/// </summary>
public sealed class ProxyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<DashboardOptions> dashboard,
    SignInRecorder signIns) : DashboardAuthenticationHandler(options, logger, encoder)
{
    private readonly TrustedNetworks _trusted = TrustedNetworks.Parse(dashboard.Value.Auth.Proxy.TrustedNetworks);
    private readonly ProxyHeaders _headers = new(ProxyHeaderSets.Prefix(dashboard.Value.Auth.Proxy.Headers)!);
    private readonly RoleMap _roles = dashboard.Value.Auth.Roles.ToRoleMap();

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!_trusted.Contains(ConnectionPeer.Of(Context))) return AuthenticateResult.NoResult();
        var headers = Request.Headers;
        var email = First(headers[_headers.Email]);
        var user = First(headers[_headers.User]) ?? email;
        if (user is null) return AuthenticateResult.NoResult();
        var groups = ProxyHeaders.SplitGroups(headers[_headers.Groups]);
        var principal = DashboardIdentity.Create(
            user,
            First(headers[_headers.PreferredUsername]) ?? email ?? user,
            email,
            groups,
            _roles.RolesOf(groups),
            DashboardIdentity.Methods.Proxy,
            _roles);
        await signIns.RecordAsync(Context, principal).ConfigureAwait(false);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    /// <inheritdoc />
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }

    private static string? First(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Select(v => v?.Trim()).FirstOrDefault(v => !string.IsNullOrEmpty(v));
}
