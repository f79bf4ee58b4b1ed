using CniDashboard.Shared.Security;

namespace CniDashboard.Server.Auth;

/// <summary>How people (and automation) sign in, bound from <c>Dashboard:Auth</c>.</summary>
public sealed class AuthOptions
{
    /// <summary>The configuration key of the mode, named in start-up errors.</summary>
    public const string ModeSetting = "Dashboard:Auth:Mode";

    /// <summary>The configuration key of the role map.</summary>
    public const string RolesSetting = "Dashboard:Auth:Roles";

    /// <summary>
    /// <c>none</c> (default): nobody signs in, everyone is a Viewer, and the dashboard listens on
    /// loopback only. <c>oidc</c>: OpenID Connect. <c>proxy</c>: identity from an authenticating proxy's headers.
    /// </summary>
    public string Mode { get; set; } = "none";

    /// <summary>The mode, parsed; null when <see cref="Mode"/> is not one of the three.</summary>
    public AuthMode? ParsedMode => Mode?.Trim().ToLowerInvariant() switch
    {
        "none" => AuthMode.None,
        "oidc" => AuthMode.Oidc,
        "proxy" => AuthMode.Proxy,
        _ => null,
    };

    /// <summary>OpenID Connect (<c>oidc</c> mode).</summary>
    public OidcAuthOptions Oidc { get; set; } = new();

    /// <summary>The authenticating proxy (<c>proxy</c> mode).</summary>
    public ProxyAuthOptions Proxy { get; set; } = new();

    /// <summary>Which groups (from the roles claim or the groups header) hold which role.</summary>
    public RoleGroups Roles { get; set; } = new();

    /// <summary>Kubernetes ServiceAccount tokens on <c>/api/v1</c>, for automation in the cluster.</summary>
    public ServiceAccountAuthOptions ServiceAccounts { get; set; } = new();

    /// <summary>How long a browser session lasts from sign-in (<c>oidc</c> mode); open pages end with it too.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// Networks (CIDRs, or single addresses) of reverse proxies or ingress controllers whose
    /// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are honoured (so cookies are Secure behind
    /// a TLS-terminating ingress and the audit log has the person's address). From anywhere else those
    /// headers are ignored. In <c>proxy</c> mode <see cref="ProxyAuthOptions.TrustedNetworks"/> counts too.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}

/// <summary>The three sign-in modes.</summary>
public enum AuthMode
{
    /// <summary>No sign-in: loopback only, read-only.</summary>
    None,

    /// <summary>OpenID Connect code flow with PKCE, cookie session; bearer JWTs on the API.</summary>
    Oidc,

    /// <summary>Trusted headers from an authenticating proxy (oauth2-proxy).</summary>
    Proxy,
}

/// <summary>Groups per role, e.g. <c>Dashboard__Auth__Roles__Admin__0=platform-admins</c>.</summary>
public sealed class RoleGroups
{
    /// <summary>Groups whose members may read everything.</summary>
    public List<string> Viewer { get; set; } = [];

    /// <summary>Groups whose members create plans and run approved ones.</summary>
    public List<string> Operator { get; set; } = [];

    /// <summary>Groups whose members approve or reject plans.</summary>
    public List<string> Approver { get; set; } = [];

    /// <summary>Groups whose members change settings and may do everything.</summary>
    public List<string> Admin { get; set; } = [];

    /// <summary>The map these lists make.</summary>
    public RoleMap ToRoleMap() => new(ByRole());

    /// <summary>Each role with its groups.</summary>
    public IReadOnlyDictionary<DashboardRole, IReadOnlyCollection<string>> ByRole() => new Dictionary<DashboardRole, IReadOnlyCollection<string>>
    {
        [DashboardRole.Viewer] = Viewer,
        [DashboardRole.Operator] = Operator,
        [DashboardRole.Approver] = Approver,
        [DashboardRole.Admin] = Admin,
    };
}

/// <summary>OpenID Connect settings.</summary>
public sealed class OidcAuthOptions
{
    /// <summary>The issuer URL (its <c>/.well-known/openid-configuration</c> is read). HTTPS, except on a loopback address.</summary>
    public string? Authority { get; set; }

    /// <summary>The dashboard's client id at the identity provider.</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret (from a Secret; never logged or shown). Empty for a public client, which then relies on PKCE alone.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Scopes asked for besides <c>openid</c>; default <c>profile</c> and <c>email</c>. Dex and Okta need <c>groups</c> here.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The claim holding the person's groups or roles: <c>groups</c>, <c>roles</c>, <c>cognito:groups</c>, …</summary>
    public string RolesClaim { get; set; } = "groups";

    /// <summary>The claim shown as the person's name; <c>preferred_username</c>, <c>email</c> and <c>sub</c> are tried after it.</summary>
    public string NameClaim { get; set; } = "name";

    /// <summary>Accept bearer JWTs from the same issuer on <c>/api/v1</c> and the hub.</summary>
    public bool AcceptBearerTokens { get; set; } = true;

    /// <summary>The audience a bearer JWT must carry; default <see cref="ClientId"/>.</summary>
    public string? Audience { get; set; }

    /// <summary>Where the identity provider sends the browser back (register it there): default <c>/signin-oidc</c>.</summary>
    public string CallbackPath { get; set; } = "/signin-oidc";

    /// <summary>
    /// Send the ID token as <c>id_token_hint</c> when signing out at the identity provider (Okta
    /// requires it). Off by default: the dashboard then keeps no token at all, and signs out with
    /// <c>client_id</c>, which Keycloak, Entra ID and most others accept. When on, the ID token is kept
    /// in the encrypted session cookie and passes through the browser to the IdP's end-session URL.
    /// </summary>
    public bool SendIdTokenHintOnSignOut { get; set; }

    /// <summary>Where the identity provider returns the browser after its sign-out (register it there as a post-logout redirect URI).</summary>
    public const string SignedOutCallbackPath = "/signout-callback-oidc";

    /// <summary>The dashboard's page after sign-out.</summary>
    public const string SignedOutPath = "/auth/signed-out";

    /// <summary>The scopes in force: <c>openid</c>, then the configured ones or <c>profile email</c>.</summary>
    public IReadOnlyList<string> EffectiveScopes => ["openid", .. (Scopes.Count > 0 ? Scopes : ["profile", "email"]).Where(s => s != "openid").Distinct(StringComparer.Ordinal)];

    /// <summary>The audience in force for bearer JWTs.</summary>
    public string? EffectiveAudience => string.IsNullOrWhiteSpace(Audience) ? ClientId : Audience;
}

/// <summary>Which headers carry the proxy's identity.</summary>
public static class ProxyHeaderSets
{
    /// <summary>oauth2-proxy's <c>--pass-user-headers</c>: <c>X-Forwarded-User</c>, <c>-Email</c>, <c>-Groups</c>, <c>-Preferred-Username</c>.</summary>
    public const string Forwarded = "forwarded";

    /// <summary>oauth2-proxy's <c>--set-xauthrequest</c> (nginx auth_request): <c>X-Auth-Request-User</c>, <c>-Email</c>, <c>-Groups</c>, <c>-Preferred-Username</c>.</summary>
    public const string AuthRequest = "auth-request";

    /// <summary>The header-name prefix of a set; null for an unknown set.</summary>
    public static string? Prefix(string? set) => set?.Trim().ToLowerInvariant() switch
    {
        Forwarded => "X-Forwarded-",
        AuthRequest => "X-Auth-Request-",
        _ => null,
    };
}

/// <summary>The authenticating proxy.</summary>
public sealed class ProxyAuthOptions
{
    /// <summary>
    /// Networks (CIDRs, or single addresses) the proxy connects from. Identity headers from any other
    /// address are refused with 401 and an audit entry.
    /// </summary>
    public List<string> TrustedNetworks { get; set; } = [];

    /// <summary><c>forwarded</c> (X-Forwarded-User/-Email/-Groups, default) or <c>auth-request</c> (X-Auth-Request-*).</summary>
    public string Headers { get; set; } = ProxyHeaderSets.Forwarded;

    /// <summary>The proxy's sign-out URL for the app bar (oauth2-proxy: <c>/oauth2/sign_out</c>); none when empty.</summary>
    public string? SignOutUrl { get; set; }
}

/// <summary>Kubernetes ServiceAccount tokens on <c>/api/v1</c>, checked with TokenReview.</summary>
public sealed class ServiceAccountAuthOptions
{
    /// <summary>Accept them (the dashboard's ServiceAccount then needs <c>create tokenreviews</c>).</summary>
    public bool Enabled { get; set; }

    /// <summary>The audience the token must be bound to (a projected token's <c>audience</c>).</summary>
    public string Audience { get; set; } = "cni-dashboard";

    /// <summary>
    /// Usernames (<c>system:serviceaccount:NS:NAME</c>) or groups (<c>system:serviceaccounts:NS</c>)
    /// per role.
    /// </summary>
    public RoleGroups Roles { get; set; } = new();

    /// <summary>How long one review's answer is reused for the same token.</summary>
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(60);
}
