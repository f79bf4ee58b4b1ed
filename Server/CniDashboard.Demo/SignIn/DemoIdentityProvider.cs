using System.Collections.Immutable;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Primitives;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace CniDashboard.Demo.SignIn;

/// <summary>What the demo's identity provider serves and to whom.</summary>
public sealed class DemoIdentityProviderOptions
{
    /// <summary>The dashboard's origins (e.g. <c>http://127.0.0.1:8080</c>): their callback and signed-out paths are the registered redirects.</summary>
    public required IReadOnlyList<Uri> DashboardOrigins { get; init; }

    /// <summary>The dashboard's sign-in callback path.</summary>
    public string CallbackPath { get; init; } = "/signin-oidc";

    /// <summary>Where the browser returns to the dashboard after signing out here (its OIDC handler's sign-out callback).</summary>
    public string SignedOutPath { get; init; } = "/signout-callback-oidc";

    /// <summary>Who can sign in.</summary>
    public IReadOnlyList<DemoUser> Users { get; init; } = DemoUser.All;

    /// <summary>Each group's dashboard role, shown beside the users on the pick page.</summary>
    public IReadOnlyDictionary<string, string> RoleOfGroup { get; init; } = new Dictionary<string, string>();

    /// <summary>The port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Where its log goes (warnings and errors).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>
/// A real OpenID Connect provider for the demo, built with OpenIddict: discovery, keys, the
/// authorization endpoint (code flow with PKCE only), the token endpoint and end-session — all
/// OpenIddict's. The only page of its own is the one where a person picks a demo user instead of
/// typing a password. It listens on 127.0.0.1 only, with one registered client: the dashboard.
/// </summary>
public sealed class DemoIdentityProvider : IAsyncDisposable
{
    /// <summary>The dashboard's client id.</summary>
    public const string ClientId = "cni-dashboard";

    /// <summary>The audience of the access tokens it issues (what the dashboard requires of bearer JWTs).</summary>
    public const string Audience = "cni-dashboard";

    /// <summary>The scope and claim carrying groups.</summary>
    public const string GroupsClaim = "groups";

    /// <summary>The authorization endpoint's path.</summary>
    public const string AuthorizePath = "/connect/authorize";

    /// <summary>The token endpoint's path.</summary>
    public const string TokenPath = "/connect/token";

    private readonly WebApplication _app;

    private DemoIdentityProvider(WebApplication app, Uri issuer, string clientSecret, IReadOnlyList<DemoUser> users)
    {
        _app = app;
        Issuer = issuer;
        ClientSecret = clientSecret;
        Users = users;
    }

    /// <summary>Its issuer, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri Issuer { get; }

    /// <summary>The dashboard's client secret, made new at every start (a secret: never printed or logged).</summary>
    public string ClientSecret { get; }

    /// <summary>Who can sign in.</summary>
    public IReadOnlyList<DemoUser> Users { get; }

    /// <summary>Starts it on 127.0.0.1 and registers the dashboard as its client.</summary>
    public static async Task<DemoIdentityProvider> StartAsync(DemoIdentityProviderOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(DemoIdentityProvider).Assembly.GetName().Name, EnvironmentName = Environments.Production, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        if (options.LoggerFactory is { } loggers) builder.Services.AddSingleton(loggers);
        var port = options.Port == 0 ? FreePort.Pick() : options.Port;
        var issuer = new Uri($"http://127.0.0.1:{port}/");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        // One store per provider (the options run for every context instance: name it once).
        var store = $"cni-demo-idp-{Guid.NewGuid():N}";
        builder.Services.AddDbContext<IdentityProviderDbContext>(db =>
        {
            db.UseInMemoryDatabase(store);
            db.UseOpenIddict();
        });
        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<IdentityProviderDbContext>())
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris(AuthorizePath.TrimStart('/'))
                    .SetTokenEndpointUris(TokenPath.TrimStart('/'))
                    .SetEndSessionEndpointUris("connect/endsession");
                server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                server.RegisterScopes(Scopes.Profile, Scopes.Email, GroupsClaim);
                server.RegisterClaims(Claims.Name, Claims.PreferredUsername, Claims.Email, GroupsClaim);
                // Keys live as long as the process: tokens from an earlier run are not accepted after a restart.
                server.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                // Signed, not encrypted: the dashboard validates bearer JWTs like any IdP's.
                server.DisableAccessTokenEncryption();
                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    // Loopback only; the browser reaches it over plain HTTP like the demo's dashboard.
                    .DisableTransportSecurityRequirement();
                server.SetIssuer(issuer);
            });

        var app = builder.Build();
        app.MapGet("/", () => Results.Text("CNI Dashboard demo identity provider (OpenIddict). The dashboard sends you here to sign in."));
        app.MapGet("/favicon.ico", () => Results.NoContent());
        app.MapMethods(AuthorizePath, [HttpMethods.Get, HttpMethods.Post], (Delegate)((HttpContext context) => AuthorizeAsync(context, options)));
        app.MapMethods("/connect/endsession", [HttpMethods.Get, HttpMethods.Post], () =>
            Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]));

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var secret = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
            await RegisterDashboardAsync(app.Services, options, secret, cancellationToken).ConfigureAwait(false);
            return new DemoIdentityProvider(app, issuer, secret, options.Users);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task RegisterDashboardAsync(IServiceProvider services, DemoIdentityProviderOptions options, string secret, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var client = new OpenIddictApplicationDescriptor
        {
            ClientId = ClientId,
            ClientSecret = secret,
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = "CNI Dashboard",
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode,
                Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile,
                Permissions.Scopes.Email,
                Permissions.Prefixes.Scope + GroupsClaim,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var origin in options.DashboardOrigins)
        {
            client.RedirectUris.Add(new Uri(origin, options.CallbackPath));
            client.PostLogoutRedirectUris.Add(new Uri(origin, options.SignedOutPath));
        }

        await applications.CreateAsync(client, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext context, DemoIdentityProviderOptions options)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect authorization request");
        var picked = context.Request.HasFormContentType ? (await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false))[UserPicker.UserField].ToString() : null;
        var user = options.Users.FirstOrDefault(u => u.Id == picked);
        if (user is null)
        {
            IEnumerable<KeyValuePair<string, StringValues>> parameters = context.Request.HasFormContentType ? context.Request.Form : context.Request.Query;
            return Results.Content(UserPicker.Render(AuthorizePath, parameters, options.Users, options.RoleOfGroup), "text/html; charset=utf-8");
        }

        var identity = new ClaimsIdentity("demo", Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id)
            .SetClaim(Claims.Name, user.Name)
            .SetClaim(Claims.PreferredUsername, user.Id)
            .SetClaim(Claims.Email, user.Email)
            .SetClaims(GroupsClaim, [.. user.Groups]);
        identity.SetScopes(request.GetScopes());
        identity.SetResources(ImmutableArray.Create(Audience));
        // Everything the dashboard reads goes in both tokens: the ID token for the browser's sign-in, the access token for the API.
        identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

}
