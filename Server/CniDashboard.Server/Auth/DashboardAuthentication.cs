using System.Security.Claims;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Options;
using CniDashboard.Shared.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace CniDashboard.Server.Auth;

/// <summary>
/// Sign-in, roles and web security, in one place: which schemes exist in each mode and how a request
/// picks one, the named policies, the cookie, antiforgery, security headers, forwarded headers, Data
/// Protection keys, the sign-in and sign-out endpoints, and the audit entries they write.
/// </summary>
public static class DashboardAuthentication
{
    /// <summary>The browser session cookie.</summary>
    public const string SessionCookie = "cni-dashboard.session";

    /// <summary>The antiforgery cookie.</summary>
    public const string AntiforgeryCookie = "cni-dashboard.antiforgery";

    /// <summary>
    /// Registers everything for the mode the (final) configuration names. Runs when the application
    /// is built, after every configuration source has been added; invalid settings are reported by
    /// options validation at start, so nothing here throws on them.
    /// </summary>
    public static void ConfigureAuthentication(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(DashboardOptions.Section).Get<DashboardOptions>() ?? new DashboardOptions();
        var auth = options.Auth;
        var mode = auth.ParsedMode ?? AuthMode.None;
        var services = builder.Services;

        services.AddHttpContextAccessor();
        services.TryAddSingleton<SignInRecorder>();
        services.TryAddSingleton<ServiceAccountReviews>();
        services.TryAddSingleton<SessionRevocations>();
        services.AddScoped<CurrentUser>();
        services.RemoveAll<ICurrentUser>();
        services.AddScoped<ICurrentUser>(sp => sp.GetRequiredService<CurrentUser>());
        services.AddScoped<CircuitHandler, CurrentUserCircuitHandler>();
        services.AddScoped<PolicyGuard>();
        services.AddScoped<IAccessDenials, AccessDenialRecorder>();
        services.AddSingleton(Describe(auth, mode));

        services.AddDataProtection()
            .SetApplicationName("cni-dashboard")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(string.IsNullOrWhiteSpace(options.DataDir) ? "." : options.DataDir, "keys")));

        var schemes = services.AddAuthentication(o =>
        {
            o.DefaultScheme = DashboardSchemes.Dashboard;
            o.DefaultChallengeScheme = DashboardSchemes.Dashboard;
            o.DefaultForbidScheme = DashboardSchemes.Dashboard;
        });
        schemes.AddPolicyScheme(DashboardSchemes.Dashboard, "CNI Dashboard", o => o.ForwardDefaultSelector = SchemeSelector(auth, mode));
        switch (mode)
        {
            case AuthMode.Oidc:
                schemes.AddCookie(DashboardSchemes.Cookie, o => ConfigureCookie(o, auth));
                schemes.AddOpenIdConnect(DashboardSchemes.Oidc, o => ConfigureOidc(o, auth));
                if (auth.Oidc.AcceptBearerTokens) schemes.AddJwtBearer(DashboardSchemes.Bearer, o => ConfigureBearer(o, auth));
                break;
            case AuthMode.Proxy:
                schemes.AddScheme<AuthenticationSchemeOptions, ProxyHandler>(DashboardSchemes.Proxy, null);
                break;
            default:
                schemes.AddScheme<AuthenticationSchemeOptions, NoSignInHandler>(DashboardSchemes.None, null);
                break;
        }

        if (auth.ServiceAccounts.Enabled && mode != AuthMode.None)
            schemes.AddScheme<AuthenticationSchemeOptions, ServiceAccountHandler>(DashboardSchemes.ServiceAccount, null);

        var policies = services.AddAuthorizationBuilder();
        foreach (var name in DashboardPolicies.All) policies.AddPolicy(name, Policy(name));
        // Whatever is mapped without a policy still needs a role: safe by default (the endpoint table test names it).
        policies.SetFallbackPolicy(Policy(DashboardPolicies.View));
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AuditingAuthorizationResultHandler>();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, SessionRevalidation>();

        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = AntiforgeryCookie;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.HeaderName = CookieAntiforgery.HeaderName;
        });
    }

    /// <summary>The authorization policy <paramref name="name"/> (one of <see cref="DashboardPolicies.All"/>): signed in, holding a role that satisfies it.</summary>
    public static AuthorizationPolicy Policy(string name) => new AuthorizationPolicyBuilder()
        .RequireAuthenticatedUser()
        .RequireAssertion(context => DashboardPolicies.Allows(name, DashboardIdentity.RolesOf(context.User)))
        .Build();

    /// <summary>
    /// The security middleware, in order: the connection's real peer, security headers, forwarded
    /// headers (trusted proxies only), the management listener's filter, forged proxy headers,
    /// authentication, authorization, antiforgery. Call first in the pipeline.
    /// </summary>
    public static void UseDashboardSecurity(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value;
        var auth = options.Auth;
        ConnectionPeer.UseConnectionPeer(app);
        var formTargets = auth.ParsedMode == AuthMode.Oidc && Uri.TryCreate(auth.Oidc.Authority, UriKind.Absolute, out var issuer) ? [issuer.GetLeftPart(UriPartial.Authority)] : Array.Empty<string>();
        app.UseSecurityHeaders(SecurityHeaders.ContentSecurityPolicy(formTargets));

        var forwarders = TrustedNetworks.Parse(auth.ParsedMode == AuthMode.Proxy ? auth.TrustedProxies.Concat(auth.Proxy.TrustedNetworks) : auth.TrustedProxies);
        if (forwarders.Networks.Count > 0)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, ForwardLimit = 1 };
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var network in forwarders.Networks) forwarded.KnownIPNetworks.Add(network);
            app.UseForwardedHeaders(forwarded);
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseManagementListener();
        if (auth.ParsedMode == AuthMode.Proxy) app.UseMiddleware<ForgedProxyHeaders>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<CookieAntiforgery>(auth.Oidc.CallbackPath);
        app.UseAntiforgery();
    }

    /// <summary>Maps sign-in and sign-out (the pages they lead to are Blazor pages under <c>/auth</c>).</summary>
    public static IEndpointRouteBuilder MapDashboardAuth(this IEndpointRouteBuilder app)
    {
        var auth = app.ServiceProvider.GetRequiredService<IOptions<DashboardOptions>>().Value.Auth;
        var mode = auth.ParsedMode;

        app.MapGet(AuthPaths.SignIn, (string? returnUrl) => mode == AuthMode.Oidc
                ? Results.Challenge(new AuthenticationProperties { RedirectUri = AuthPaths.LocalOrRoot(returnUrl) }, [DashboardSchemes.Oidc])
                : Results.LocalRedirect(AuthPaths.LocalOrRoot(returnUrl)))
            .AllowAnonymous().ExcludeFromDescription();

        app.MapPost(AuthPaths.SignOut, async (HttpContext context, SessionRevocations sessions) =>
            {
                if (context.User.Identity?.IsAuthenticated == true)
                {
                    await RequestAudit.AppendAsync(context, context.User, AuditActions.SignOut, AuditOutcome.Ok);
                    sessions.Revoke(context.User);
                }

                if (mode == AuthMode.Proxy) return Results.Redirect(string.IsNullOrEmpty(auth.Proxy.SignOutUrl) ? "/" : auth.Proxy.SignOutUrl);
                if (mode != AuthMode.Oidc) return Results.LocalRedirect("/");
                await context.SignOutAsync(DashboardSchemes.Cookie);
                // The identity provider's own session ends too, where it has an end-session endpoint (Dex has none).
                var oidc = context.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(DashboardSchemes.Oidc);
                var metadata = oidc.ConfigurationManager is { } manager ? await TryGetMetadataAsync(manager, context.RequestAborted) : null;
                return string.IsNullOrEmpty(metadata?.EndSessionEndpoint)
                    ? Results.LocalRedirect(AuthPaths.SignedOut)
                    : Results.SignOut(new AuthenticationProperties { RedirectUri = AuthPaths.SignedOut }, [DashboardSchemes.Oidc]);
            })
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<OpenIdConnectConfiguration?> TryGetMetadataAsync(Microsoft.IdentityModel.Protocols.IConfigurationManager<OpenIdConnectConfiguration> manager, CancellationToken cancellationToken)
    {
        try
        {
            return await manager.GetConfigurationAsync(cancellationToken);
        }
        catch (InvalidOperationException)
        {
            // The identity provider cannot be reached: the dashboard's session has ended all the same.
            return null;
        }
    }

    /// <summary>Which scheme authenticates a request: a bearer token on the API or hub, else the mode's own.</summary>
    internal static Func<HttpContext, string?> SchemeSelector(AuthOptions auth, AuthMode mode)
    {
        var issuer = Uri.TryCreate(auth.Oidc.Authority, UriKind.Absolute, out var authority) ? authority.ToString().TrimEnd('/') : null;
        var bearer = mode == AuthMode.Oidc && auth.Oidc.AcceptBearerTokens;
        var serviceAccounts = auth.ServiceAccounts.Enabled && mode != AuthMode.None;
        var proxyHeaders = mode == AuthMode.Proxy ? new ProxyHeaders(ProxyHeaderSets.Prefix(auth.Proxy.Headers) ?? "X-Forwarded-") : null;
        var proxies = mode == AuthMode.Proxy ? TrustedNetworks.Parse(auth.Proxy.TrustedNetworks) : null;
        var own = mode switch { AuthMode.Oidc => DashboardSchemes.Cookie, AuthMode.Proxy => DashboardSchemes.Proxy, _ => DashboardSchemes.None };
        return context =>
        {
            if (!(bearer || serviceAccounts) || !AuthPaths.AcceptsBearer(context.Request.Path) || BearerToken.From(context.Request) is not { } token) return own;
            // Through the proxy, its identity headers win over an Authorization header it passes along.
            if (proxyHeaders is not null && proxies!.Contains(ConnectionPeer.Of(context)) && proxyHeaders.PresentOn(context.Request).Count > 0) return own;
            if (bearer && (!serviceAccounts || string.Equals(IssuerOf(token), issuer, StringComparison.Ordinal))) return DashboardSchemes.Bearer;
            return DashboardSchemes.ServiceAccount;
        };
    }

    private static string? IssuerOf(string token)
    {
        var tokens = new JsonWebTokenHandler();
        return tokens.CanReadToken(token) ? tokens.ReadJsonWebToken(token).Issuer?.TrimEnd('/') : null;
    }

    private static void ConfigureCookie(CookieAuthenticationOptions o, AuthOptions auth)
    {
        o.Cookie.Name = SessionCookie;
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Lax;
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.ExpireTimeSpan = auth.SessionLifetime;
        o.SlidingExpiration = false;
        o.LoginPath = AuthPaths.SignIn;
        o.ReturnUrlParameter = "returnUrl";
        o.AccessDeniedPath = AuthPaths.NoAccess;
        o.Events.OnRedirectToLogin = context => StatusOrRedirect(context, StatusCodes.Status401Unauthorized);
        o.Events.OnRedirectToAccessDenied = context => StatusOrRedirect(context, StatusCodes.Status403Forbidden);
        o.Events.OnValidatePrincipal = async context =>
        {
            if (context.Principal is { } principal && !context.HttpContext.RequestServices.GetRequiredService<SessionRevocations>().IsCurrent(principal))
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(DashboardSchemes.Cookie);
            }
        };
    }

    private static Task StatusOrRedirect(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (AuthPaths.IsProgrammatic(context.Request.Path)) context.Response.StatusCode = status;
        else context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static void ConfigureOidc(OpenIdConnectOptions o, AuthOptions auth)
    {
        var oidc = auth.Oidc;
        var map = auth.Roles.ToRoleMap();
        o.Authority = oidc.Authority;
        o.ClientId = oidc.ClientId;
        if (!string.IsNullOrEmpty(oidc.ClientSecret)) o.ClientSecret = oidc.ClientSecret;
        o.RequireHttpsMetadata = !IsLoopbackUrl(oidc.Authority);
        o.ResponseType = OpenIdConnectResponseType.Code;
        // The code comes back in the query of a top-level GET, so every cookie can stay SameSite=Lax.
        o.ResponseMode = OpenIdConnectResponseMode.Query;
        o.UsePkce = true;
        o.Scope.Clear();
        foreach (var scope in oidc.EffectiveScopes) o.Scope.Add(scope);
        o.CallbackPath = oidc.CallbackPath;
        o.SignedOutCallbackPath = OidcAuthOptions.SignedOutCallbackPath;
        o.SignedOutRedirectUri = AuthPaths.SignedOut;
        o.SignInScheme = DashboardSchemes.Cookie;
        o.SignOutScheme = DashboardSchemes.Cookie;
        o.MapInboundClaims = false;
        o.GetClaimsFromUserInfoEndpoint = false;
        // No token is kept in the session, unless sign-out must hand the ID token back as id_token_hint (below).
        o.SaveTokens = false;
        o.DisableTelemetry = true;
        o.TokenValidationParameters.NameClaimType = oidc.NameClaim;
        o.TokenValidationParameters.RoleClaimType = oidc.RolesClaim;
        o.CorrelationCookie.SameSite = SameSiteMode.Lax;
        o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.NonceCookie.SameSite = SameSiteMode.Lax;
        o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.Events.OnRedirectToIdentityProvider = context =>
        {
            if (AuthPaths.IsProgrammatic(context.Request.Path))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.HandleResponse();
            }

            return Task.CompletedTask;
        };
        o.Events.OnRedirectToIdentityProviderForSignOut = context =>
        {
            // IdPs that take client_id instead of (or with) id_token_hint on logout.
            context.ProtocolMessage.ClientId = oidc.ClientId;
            return Task.CompletedTask;
        };
        o.Events.OnTokenValidated = async context =>
        {
            var source = context.Principal!;
            var groups = source.FindAll(oidc.RolesClaim).Select(c => c.Value).ToArray();
            var principal = DashboardIdentity.Create(
                source.FindFirst("sub")?.Value ?? throw new InvalidOperationException("the ID token has no sub claim"),
                First(source, oidc.NameClaim, "name", "preferred_username", "email"),
                First(source, "email"),
                groups,
                map.RolesOf(groups),
                DashboardIdentity.Methods.Oidc,
                map,
                HasGroupsOverage(source, oidc.RolesClaim));
            var expires = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow() + auth.SessionLifetime;
            SessionRevocations.Stamp(principal, expires);
            context.Principal = principal;
            context.Properties!.IsPersistent = true;
            context.Properties.ExpiresUtc = expires;
            if (oidc.SendIdTokenHintOnSignOut && context.TokenEndpointResponse?.IdToken is { Length: > 0 } idToken)
                context.Properties.StoreTokens([new AuthenticationToken { Name = OpenIdConnectParameterNames.IdToken, Value = idToken }]);
            var roles = DashboardIdentity.RolesOf(principal);
            // Fail closed: if the entry cannot be written, this throws and the sign-in does not happen.
            await RequestAudit.AppendAsync(context.HttpContext, principal, AuditActions.SignIn, roles.Count > 0 ? AuditOutcome.Ok : AuditOutcome.Denied, null, SignInRecorder.GroupsDetail(principal));
        };
        o.Events.OnRemoteFailure = async context =>
        {
            await RequestAudit.AppendAsync(context.HttpContext, null, AuditActions.SignInFailed, AuditOutcome.Failed, null,
                RequestAudit.Reason(SecretScrubber.Scrub(context.Failure?.Message), ("method", DashboardIdentity.Methods.Oidc)));
            context.Response.Redirect(AuthPaths.SignInFailed);
            context.HandleResponse();
        };
    }

    private static void ConfigureBearer(JwtBearerOptions o, AuthOptions auth)
    {
        var oidc = auth.Oidc;
        var map = auth.Roles.ToRoleMap();
        o.Authority = oidc.Authority;
        o.Audience = oidc.EffectiveAudience;
        o.RequireHttpsMetadata = !IsLoopbackUrl(oidc.Authority);
        o.MapInboundClaims = false;
        o.SaveToken = false;
        o.TokenValidationParameters.NameClaimType = oidc.NameClaim;
        o.Events = new JwtBearerEvents
        {
            OnTokenValidated = async context =>
            {
                var source = context.Principal!;
                var groups = source.FindAll(oidc.RolesClaim).Select(c => c.Value).ToArray();
                var principal = DashboardIdentity.Create(
                    source.FindFirst("sub")?.Value ?? source.FindFirst("client_id")?.Value ?? "unknown",
                    First(source, oidc.NameClaim, "name", "preferred_username", "email"),
                    First(source, "email"),
                    groups,
                    map.RolesOf(groups),
                    DashboardIdentity.Methods.Bearer,
                    map,
                    HasGroupsOverage(source, oidc.RolesClaim));
                context.Principal = principal;
                await context.HttpContext.RequestServices.GetRequiredService<SignInRecorder>().RecordAsync(context.HttpContext, principal);
            },
            OnAuthenticationFailed = context => RequestAudit.AppendAsync(context.HttpContext, null, AuditActions.SignInFailed, AuditOutcome.Denied, RequestAudit.Target(context.HttpContext),
                RequestAudit.Reason(SecretScrubber.Scrub(context.Exception.Message), ("method", DashboardIdentity.Methods.Bearer))),
        };
    }

    private static string? First(ClaimsPrincipal principal, params string[] types) =>
        types.Select(t => principal.FindFirst(t)?.Value).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    /// <summary>Entra ID leaves <c>groups</c> out when a person is in too many, and says so with <c>hasgroups</c> or <c>_claim_names</c>.</summary>
    private static bool HasGroupsOverage(ClaimsPrincipal principal, string rolesClaim) =>
        principal.HasClaim(c => c.Type == "hasgroups")
        || principal.FindAll("_claim_names").Any(c => c.Value.Contains($"\"{rolesClaim}\"", StringComparison.Ordinal));

    private static bool IsLoopbackUrl(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsLoopback;

    /// <summary>What the UI says about sign-in and roles (no secrets).</summary>
    private static AccessSettings Describe(AuthOptions auth, AuthMode mode)
    {
        static IReadOnlyDictionary<DashboardRole, IReadOnlyList<string>> Map(RoleGroups groups) =>
            groups.ByRole().ToDictionary(p => p.Key, p => (IReadOnlyList<string>)[.. p.Value.Where(g => !string.IsNullOrWhiteSpace(g))]);

        var serviceAccounts = auth.ServiceAccounts.Enabled && mode != AuthMode.None ? Map(auth.ServiceAccounts.Roles) : new Dictionary<DashboardRole, IReadOnlyList<string>>();
        return mode switch
        {
            AuthMode.Oidc => new AccessSettings("oidc", auth.Oidc.Authority, $"the \"{auth.Oidc.RolesClaim}\" claim (Dashboard:Auth:Oidc:RolesClaim)", AuthOptions.RolesSetting, Map(auth.Roles), serviceAccounts, AuthPaths.SignOut),
            AuthMode.Proxy => new AccessSettings("proxy", null, $"the {ProxyHeaderSets.Prefix(auth.Proxy.Headers)}Groups header", AuthOptions.RolesSetting, Map(auth.Roles), serviceAccounts,
                string.IsNullOrEmpty(auth.Proxy.SignOutUrl) ? null : AuthPaths.SignOut),
            _ => AccessSettings.NoSignIn,
        };
    }
}
