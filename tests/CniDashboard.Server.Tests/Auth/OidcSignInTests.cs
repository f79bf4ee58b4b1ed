using System.Net;
using CniDashboard.Demo.SignIn;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Security;
using Microsoft.AspNetCore.WebUtilities;

namespace CniDashboard.Server.Tests.Auth;

/// <summary>
/// <c>oidc</c> mode against a real OpenID Connect provider in process (the demo's, OpenIddict): the
/// code flow with PKCE, the cookie session, roles from the groups claim, sign-out, refused sign-ins,
/// and bearer JWTs from the same issuer on the API.
/// </summary>
public sealed class OidcSignInTests(OidcSignInTests.OidcDashboard fixture) : IClassFixture<OidcSignInTests.OidcDashboard>
{
    private static readonly DemoUser Outsider = new("outsider", "Otto Outsider", ["contractors"]);
    private readonly AuthDashboard _dashboard = fixture.Dashboard;
    // The tests of this class share one dashboard and run one at a time: each looks at the entries after its start.
    private readonly int _mark = fixture.Dashboard.Audit.Mark();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One dashboard in oidc mode with the demo's provider (and a user in no mapped group).</summary>
    public sealed class OidcDashboard : IAsyncLifetime
    {
        public AuthDashboard Dashboard { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Dashboard = await AuthDashboard.StartAsync(OidcSettings(), users: [.. DemoUser.All, Outsider]);

        public async ValueTask DisposeAsync() => await Dashboard.DisposeAsync();
    }

    private IReadOnlyList<AuditRecord> Audited(string action) => _dashboard.Audit.Since(_mark, action);

    internal static Dictionary<string, string?> OidcSettings() => new()
    {
        ["Dashboard:Auth:Mode"] = "oidc",
        ["Dashboard:Auth:Roles:Viewer:0"] = DemoUser.DemoGroups.Viewers,
        ["Dashboard:Auth:Roles:Operator:0"] = DemoUser.DemoGroups.Operators,
        ["Dashboard:Auth:Roles:Approver:0"] = DemoUser.DemoGroups.Approvers,
        ["Dashboard:Auth:Roles:Admin:0"] = DemoUser.DemoGroups.Admins,
    };

    [Fact]
    public async Task A_page_request_without_a_session_starts_the_code_flow_with_pkce_and_the_api_answers_401()
    {
        using var client = _dashboard.Client();
        using var page = await client.GetAsync("/nodes", Ct);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/auth/sign-in", page.Headers.Location!.AbsolutePath);
        using var signIn = await client.GetAsync(page.Headers.Location, Ct);
        var authorize = signIn.Headers.Location!;
        var query = QueryHelpers.ParseQuery(authorize.Query);

        Assert.StartsWith(_dashboard.IdentityProvider!.Issuer.ToString(), authorize.ToString(), StringComparison.Ordinal);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.False(string.IsNullOrEmpty(query["code_challenge"]));
        Assert.Equal("query", query.TryGetValue("response_mode", out var mode) ? mode.ToString() : "query");
        Assert.Contains("groups", query["scope"].ToString().Split(' '));
        // Every cookie of the flow is HttpOnly and SameSite=Lax (no SameSite=None needed: the code comes back in a GET).
        Assert.All(signIn.Headers.GetValues("Set-Cookie"), c => Assert.Matches("(?i)httponly.*samesite=lax|samesite=lax.*httponly", c));

        using var api = await client.GetAsync("api/v1/status", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        // A person with no credentials at all is not a denial worth recording.
        Assert.Empty(Audited(AuditActions.Denied));
    }

    [Fact]
    public async Task Signing_in_through_the_provider_gives_a_session_with_the_roles_its_groups_map_to_recorded_in_the_audit_log()
    {
        using var client = await HeadlessSignIn.SignInAsync(_dashboard.BaseAddress, "operator", Ct);

        using var status = await client.GetAsync("api/v1/status", Ct);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var html = await client.GetStringAsync("/", Ct);
        Assert.Contains("Olga Operator", html, StringComparison.Ordinal);
        Assert.Matches("data-testid=\"user-role\" data-role=\"Operator\"", html);

        var signIn = Assert.Single(Audited(AuditActions.SignIn));
        Assert.Equal(("operator", "Olga Operator", "oidc", AuditOutcome.Ok), (signIn.Actor.Subject, signIn.Actor.DisplayName, signIn.Actor.Method, signIn.Outcome));
        Assert.Equal([DashboardRole.Operator], signIn.Actor.Roles);
        Assert.Equal("127.0.0.1", signIn.ClientAddress);
        Assert.False(string.IsNullOrEmpty(signIn.RequestId));
    }

    [Fact]
    public async Task The_session_cookie_is_httponly_lax_and_not_secure_over_plain_http()
    {
        using var client = _dashboard.Client();

        using var callback = await CallbackAsync(client, "viewer");

        var session = Assert.Single(callback.Headers.GetValues("Set-Cookie"), c => c.StartsWith("cni-dashboard.session=", StringComparison.Ordinal));
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", session, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", session.Replace("samesite", "", StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_person_whose_groups_map_to_no_role_is_signed_in_but_refused_everything_and_shown_why()
    {
        using var client = await HeadlessSignIn.SignInAsync(_dashboard.BaseAddress, Outsider.Id, Ct);

        using var api = await client.GetAsync("api/v1/status", Ct);
        using var page = await client.GetAsync("/", Ct);
        var explained = await client.GetStringAsync("auth/no-access", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/auth/no-access", page.Headers.Location!.AbsolutePath);
        Assert.Contains("contractors", explained, StringComparison.Ordinal);
        Assert.Contains("Dashboard:Auth:Roles", explained, StringComparison.Ordinal);
        var signIn = Assert.Single(Audited(AuditActions.SignIn));
        Assert.Equal(AuditOutcome.Denied, signIn.Outcome);
        Assert.Equal(2, Audited(AuditActions.Denied).Count(d => d.Actor.Subject == Outsider.Id));
    }

    [Fact]
    public async Task Sign_out_needs_the_antiforgery_token_ends_the_session_everywhere_and_goes_to_the_providers_end_session()
    {
        var cookies = new CookieContainer();
        using var client = await HeadlessSignIn.SignInAsync(_dashboard.BaseAddress, "approver", Ct, cookies);
        var html = await client.GetStringAsync("/", Ct);
        var token = AntiforgeryForm.TokenIn(html);

        // Without the token (what another site could make a browser send): refused and recorded.
        using var forged = await client.PostAsync("auth/sign-out", new FormUrlEncodedContent([]), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var denied = Assert.Single(Audited(AuditActions.Denied));
        Assert.Equal(("approver", "missing or invalid antiforgery token"), (denied.Actor.Subject, denied.Details!["reason"]!.GetValue<string>()));
        using var stillIn = await client.GetAsync("api/v1/status", Ct);
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);

        // A copy of the session cookie, as someone might have taken it before sign-out.
        var session = cookies.GetCookies(_dashboard.BaseAddress)["cni-dashboard.session"]!.Value;

        using var signOut = await client.PostAsync("auth/sign-out", AntiforgeryForm.With(token), Ct);

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.StartsWith(new Uri(_dashboard.IdentityProvider!.Issuer, "connect/endsession").ToString(), signOut.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("id_token_hint", signOut.Headers.Location!.Query, StringComparison.Ordinal);
        Assert.Single(Audited(AuditActions.SignOut), r => r.Actor.Subject == "approver");
        using var copy = _dashboard.Client();
        copy.DefaultRequestHeaders.Add("Cookie", $"cni-dashboard.session={session}");
        using var replayed = await copy.GetAsync("api/v1/status", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
    }

    [Fact]
    public async Task A_callback_the_dashboard_did_not_start_is_a_failed_sign_in_recorded_and_explained()
    {
        using var client = _dashboard.Client();

        using var callback = await client.GetAsync("signin-oidc?code=made-up&state=made-up", Ct);

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/auth/sign-in-failed", callback.Headers.Location!.OriginalString);
        var failed = Assert.Single(Audited(AuditActions.SignInFailed));
        Assert.Equal((AuditOutcome.Failed, "oidc"), (failed.Outcome, failed.Details!["method"]!.GetValue<string>()));
        using var api = await client.GetAsync("api/v1/status", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task When_the_sign_in_cannot_be_recorded_it_does_not_happen()
    {
        using var client = _dashboard.Client();
        HttpResponseMessage callback;
        _dashboard.Audit.FailWith = new InvalidOperationException("the audit log is read-only");
        try
        {
            callback = await CallbackAsync(client, "admin");
        }
        finally
        {
            _dashboard.Audit.FailWith = null;
        }

        using (callback)
        {
            Assert.False(callback.Headers.TryGetValues("Set-Cookie", out var set) && set.Any(c => c.StartsWith("cni-dashboard.session=", StringComparison.Ordinal)));
        }

        using var api = await client.GetAsync("api/v1/status", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task Bearer_jwts_from_the_same_issuer_work_on_the_api_with_the_roles_of_their_groups()
    {
        var token = await HeadlessSignIn.GetAccessTokenAsync(_dashboard.IdentityProvider!, _dashboard.BaseAddress, "admin", Ct);
        var outsider = await HeadlessSignIn.GetAccessTokenAsync(_dashboard.IdentityProvider!, _dashboard.BaseAddress, Outsider.Id, Ct);
        using var client = _dashboard.Client();

        using var ok = await Send(client, "api/v1/status", token);
        using var again = await Send(client, "api/v1/nodes", token);
        using var noRole = await Send(client, "api/v1/status", outsider);
        using var tampered = await Send(client, "api/v1/status", token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA"));
        using var garbage = await Send(client, "api/v1/status", "not-a-jwt");
        // A bearer token is for programs: pages still need the browser session.
        using var page = await Send(client, "/", token);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (ok.StatusCode, again.StatusCode));
        Assert.Equal(HttpStatusCode.Forbidden, noRole.StatusCode);
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (tampered.StatusCode, garbage.StatusCode));
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        // Signed in once per identity, not once per request; refusals each recorded.
        var signIns = Audited(AuditActions.SignIn);
        Assert.Single(signIns, s => s.Actor is { Subject: "admin", Method: "bearer" } && s.Actor.Roles.SequenceEqual([DashboardRole.Admin]));
        Assert.Equal(2, Audited(AuditActions.SignInFailed).Count(f => f.Details!["method"]!.GetValue<string>() == "bearer"));
        Assert.Single(Audited(AuditActions.Denied), d => d.Actor.Subject == Outsider.Id);
    }

    [Fact]
    public async Task A_session_survives_a_restart_with_the_same_data_dir_and_not_with_another()
    {
        using var dir = new TempDir();
        string session;
        await using (var before = await AuthDashboard.StartAsync(OidcSettings(), dataDir: dir.Sub("data")))
        {
            var cookies = new CookieContainer();
            using var signedIn = await HeadlessSignIn.SignInAsync(before.BaseAddress, "viewer", Ct, cookies);
            session = cookies.GetCookies(before.BaseAddress)["cni-dashboard.session"]!.Value;
        }

        await using var restarted = await AuthDashboard.StartAsync(OidcSettings(), dataDir: dir.Path + "/data");
        await using var elsewhere = await AuthDashboard.StartAsync(OidcSettings());
        using var again = await WithSession(restarted, session);
        using var other = await WithSession(elsewhere, session);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir.Path, "data", "keys"), "key-*.xml"));
    }

    private static async Task<HttpResponseMessage> WithSession(AuthDashboard dashboard, string session)
    {
        using var client = dashboard.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/status");
        request.Headers.Add("Cookie", $"cni-dashboard.session={session}");
        return await client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task A_bearer_jwt_for_another_audience_is_refused()
    {
        var settings = OidcSettings();
        settings["Dashboard:Auth:Oidc:Audience"] = "some-other-api";
        await using var other = await AuthDashboard.StartAsync(settings);
        var token = await HeadlessSignIn.GetAccessTokenAsync(other.IdentityProvider!, other.BaseAddress, "admin", Ct);
        using var client = other.Client();

        using var response = await Send(client, "api/v1/status", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("audience", Assert.Single(other.Audit.With(AuditActions.SignInFailed)).Details!["reason"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The browser's steps up to the dashboard's callback: start, pick <paramref name="user"/> at the provider, return.</summary>
    private static async Task<HttpResponseMessage> CallbackAsync(HttpClient client, string user)
    {
        using var start = await client.GetAsync("auth/sign-in", Ct);
        var authorize = start.Headers.Location!;
        var form = QueryHelpers.ParseQuery(authorize.Query).Select(p => KeyValuePair.Create(p.Key, p.Value.ToString())).Append(KeyValuePair.Create("demo_user", user));
        using var idp = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var picked = await idp.PostAsync(new Uri(authorize.GetLeftPart(UriPartial.Path)), new FormUrlEncodedContent(form), Ct);
        return await client.GetAsync(picked.Headers.Location, Ct);
    }

    internal static async Task<HttpResponseMessage> Send(HttpClient client, string path, string token, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request, Ct);
    }
}
