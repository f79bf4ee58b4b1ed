using System.Net;
using CniDashboard.Server.Options;

namespace CniDashboard.Server.Auth;

/// <summary>Start-up checks of <c>Dashboard:Auth</c>: each error is one line naming the setting to change.</summary>
internal static class AuthOptionsValidation
{
    public static void Validate(DashboardOptions options, List<string> errors)
    {
        var auth = options.Auth;
        var mode = auth.ParsedMode;
        if (mode is null)
        {
            errors.Add($"{AuthOptions.ModeSetting} '{auth.Mode}' is not a sign-in mode: use oidc, proxy or none.");
            return;
        }

        if (mode == AuthMode.None && !IsLoopback(options.ListenAddress))
        {
            // The one line a person sees when the chart (or a flag) opens the dashboard up without sign-in.
            errors.Add(
                $"Dashboard:ListenAddress {options.ListenAddress} is not loopback and nobody signs in ({AuthOptions.ModeSetting}=none): " +
                $"set {AuthOptions.ModeSetting}=oidc (Dashboard:Auth:Oidc:*) or {AuthOptions.ModeSetting}=proxy (Dashboard:Auth:Proxy:TrustedNetworks), or listen on 127.0.0.1.");
        }

        if (auth.SessionLifetime < TimeSpan.FromMinutes(5) || auth.SessionLifetime > TimeSpan.FromDays(30))
            errors.Add("Dashboard:Auth:SessionLifetime must be between 5 minutes and 30 days.");
        TrustedNetworks.Parse(auth.TrustedProxies, "Dashboard:Auth:TrustedProxies", errors);

        if (mode == AuthMode.Oidc) ValidateOidc(auth.Oidc, errors);
        if (mode == AuthMode.Proxy) ValidateProxy(auth.Proxy, errors);
        if (mode != AuthMode.None && auth.Roles.ToRoleMap().IsEmpty)
        {
            errors.Add($"{AuthOptions.RolesSetting} maps no group to a role, so nobody could use the dashboard: set e.g. {AuthOptions.RolesSetting}:Admin:0=<your admins' group>.");
        }

        var accounts = auth.ServiceAccounts;
        if (accounts.Enabled)
        {
            if (mode == AuthMode.None)
                errors.Add($"Dashboard:Auth:ServiceAccounts:Enabled needs {AuthOptions.ModeSetting}=oidc or proxy (with none, everyone is a read-only Viewer).");
            if (string.IsNullOrWhiteSpace(accounts.Audience)) errors.Add("Dashboard:Auth:ServiceAccounts:Audience must not be empty.");
            if (accounts.Roles.ToRoleMap().IsEmpty)
                errors.Add("Dashboard:Auth:ServiceAccounts:Roles maps no ServiceAccount or group to a role.");
            if (accounts.CacheFor < TimeSpan.Zero || accounts.CacheFor > TimeSpan.FromMinutes(10))
                errors.Add("Dashboard:Auth:ServiceAccounts:CacheFor must be between 0 and 10 minutes.");
        }
    }

    /// <summary>True for a loopback address or <c>localhost</c>.</summary>
    public static bool IsLoopback(string listenAddress) =>
        listenAddress == "localhost" || (IPAddress.TryParse(listenAddress, out var address) && IPAddress.IsLoopback(address));

    private static void ValidateOidc(OidcAuthOptions oidc, List<string> errors)
    {
        if (!Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
        {
            errors.Add($"Dashboard:Auth:Oidc:Authority '{oidc.Authority}' must be the identity provider's issuer URL (https://…).");
        }
        else if (authority.Scheme == "http" && !authority.IsLoopback)
        {
            errors.Add($"Dashboard:Auth:Oidc:Authority {authority} must use https (plain http is accepted only on a loopback address).");
        }

        if (string.IsNullOrWhiteSpace(oidc.ClientId)) errors.Add("Dashboard:Auth:Oidc:ClientId must be set (the dashboard's client id at the identity provider).");
        if (string.IsNullOrWhiteSpace(oidc.RolesClaim)) errors.Add("Dashboard:Auth:Oidc:RolesClaim must name the claim holding groups (e.g. groups, roles).");
        if (string.IsNullOrWhiteSpace(oidc.NameClaim)) errors.Add("Dashboard:Auth:Oidc:NameClaim must not be empty.");
        if (string.IsNullOrWhiteSpace(oidc.CallbackPath) || !oidc.CallbackPath.StartsWith('/'))
            errors.Add("Dashboard:Auth:Oidc:CallbackPath must be a path starting with /.");
    }

    private static void ValidateProxy(ProxyAuthOptions proxy, List<string> errors)
    {
        if (proxy.TrustedNetworks.Count == 0)
            errors.Add("Dashboard:Auth:Proxy:TrustedNetworks must list the networks the authenticating proxy connects from (CIDRs).");
        TrustedNetworks.Parse(proxy.TrustedNetworks, "Dashboard:Auth:Proxy:TrustedNetworks", errors);
        if (ProxyHeaderSets.Prefix(proxy.Headers) is null)
            errors.Add($"Dashboard:Auth:Proxy:Headers '{proxy.Headers}' must be {ProxyHeaderSets.Forwarded} (X-Forwarded-User…) or {ProxyHeaderSets.AuthRequest} (X-Auth-Request-User…).");
        if (!string.IsNullOrEmpty(proxy.SignOutUrl) && !Uri.TryCreate(proxy.SignOutUrl, UriKind.RelativeOrAbsolute, out _))
            errors.Add($"Dashboard:Auth:Proxy:SignOutUrl '{proxy.SignOutUrl}' is not a URL.");
    }
}
