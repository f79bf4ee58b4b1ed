using System.Net;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Security;

namespace CniDashboard.Server.Tests.Auth;

/// <summary>
/// <c>proxy</c> mode: identity from the authenticating proxy's headers, only from its address
/// (here 127.0.0.2); the same headers from anywhere else (127.0.0.1) are refused with 401 and recorded.
/// </summary>
public sealed class ProxySignInTests(ProxySignInTests.ProxyDashboard fixture) : IClassFixture<ProxySignInTests.ProxyDashboard>
{
    private readonly AuthDashboard _dashboard = fixture.Dashboard;
    private readonly int _mark = fixture.Dashboard.Audit.Mark();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One dashboard behind a "proxy" at 127.0.0.2.</summary>
    public sealed class ProxyDashboard : IAsyncLifetime
    {
        public AuthDashboard Dashboard { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Dashboard = await AuthDashboard.StartAsync(Settings());

        public async ValueTask DisposeAsync() => await Dashboard.DisposeAsync();
    }

    internal static Dictionary<string, string?> Settings(string headers = "forwarded") => new()
    {
        ["Dashboard:Auth:Mode"] = "proxy",
        ["Dashboard:Auth:Proxy:TrustedNetworks:0"] = "127.0.0.2/32",
        ["Dashboard:Auth:Proxy:Headers"] = headers,
        ["Dashboard:Auth:Proxy:SignOutUrl"] = "/oauth2/sign_out",
        ["Dashboard:Auth:Roles:Viewer:0"] = "viewers",
        ["Dashboard:Auth:Roles:Operator:0"] = "operators",
        ["Dashboard:Auth:Roles:Approver:0"] = "approvers",
        ["Dashboard:Auth:Roles:Admin:0"] = "admins",
    };

    [Fact]
    public async Task From_the_trusted_proxy_the_headers_say_who_it_is_and_the_groups_give_the_roles()
    {
        using var proxy = _dashboard.Client(AuthDashboard.ProxyAddress);

        using var status = await Get(proxy, "api/v1/status", ("X-Forwarded-User", "jane"), ("X-Forwarded-Email", "jane@example.com"), ("X-Forwarded-Groups", "platform, operators"));
        using var again = await Get(proxy, "api/v1/nodes", ("X-Forwarded-User", "jane"), ("X-Forwarded-Email", "jane@example.com"), ("X-Forwarded-Groups", "platform, operators"));
        var html = await (await Get(proxy, "/", ("X-Forwarded-User", "jane"), ("X-Forwarded-Preferred-Username", "Jane Doe"), ("X-Forwarded-Groups", "operators"))).Content.ReadAsStringAsync(Ct);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (status.StatusCode, again.StatusCode));
        Assert.Contains("Jane Doe", html, StringComparison.Ordinal);
        Assert.Contains("data-role=\"Operator\"", html, StringComparison.Ordinal);
        // The proxy presents the person on every request: the sign-in is recorded once.
        var signIn = Assert.Single(Audited(AuditActions.SignIn), s => s.Actor.Subject == "jane");
        Assert.Equal(("proxy", AuditOutcome.Ok), (signIn.Actor.Method, signIn.Outcome));
        Assert.Equal([DashboardRole.Operator], signIn.Actor.Roles);
    }

    [Fact]
    public async Task Groups_may_come_comma_separated_or_as_repeated_headers()
    {
        using var proxy = _dashboard.Client(AuthDashboard.ProxyAddress);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Forwarded-User", "kim");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Groups", ["viewers", "approvers,admins"]);
        using var response = await proxy.SendAsync(request, Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var role in new[] { "Viewer", "Approver", "Admin" }) Assert.Contains($"data-role=\"{role}\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api/v1/status")]
    [InlineData("/")]
    [InlineData("healthz")]
    [InlineData("_framework/blazor.web.js")]
    public async Task The_same_headers_from_an_untrusted_address_are_refused_with_401_whatever_was_asked_and_recorded(string path)
    {
        using var attacker = _dashboard.Client();

        using var response = await Get(attacker, path, ("X-Forwarded-User", "admin"), ("X-Forwarded-Groups", "admins"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var denied = Assert.Single(Audited(AuditActions.Denied));
        Assert.Equal(("anonymous", "127.0.0.1", AuditOutcome.Denied), (denied.Actor.Subject, denied.ClientAddress, denied.Outcome));
        Assert.Equal("proxy identity headers from an untrusted address", denied.Details!["reason"]!.GetValue<string>());
        Assert.Contains("X-Forwarded-User", denied.Details!["headers"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_identity_headers_nobody_is_signed_in_from_anywhere()
    {
        using var proxy = _dashboard.Client(AuthDashboard.ProxyAddress);
        using var other = _dashboard.Client();

        using var fromProxy = await Get(proxy, "api/v1/status");
        using var fromElsewhere = await Get(other, "api/v1/status");
        using var health = await Get(other, "healthz");

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.OK), (fromProxy.StatusCode, fromElsewhere.StatusCode, health.StatusCode));
        Assert.Empty(Audited(AuditActions.Denied));
    }

    [Fact]
    public async Task Forwarded_for_and_proto_count_only_from_the_trusted_proxy()
    {
        using var proxy = _dashboard.Client(AuthDashboard.ProxyAddress);
        using var other = _dashboard.Client();

        using var viaProxy = await Get(proxy, "api/v1/status", ("X-Forwarded-User", "lee"), ("X-Forwarded-Groups", "viewers"), ("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-Proto", "https"));
        using var direct = await Get(other, "healthz", ("X-Forwarded-For", "203.0.113.8"), ("X-Forwarded-Proto", "https"));

        Assert.Equal(HttpStatusCode.OK, viaProxy.StatusCode);
        Assert.Equal("203.0.113.7", Assert.Single(Audited(AuditActions.SignIn), s => s.Actor.Subject == "lee").ClientAddress);
        // HTTPS as the proxy saw it: HSTS. From elsewhere the header is ignored.
        Assert.True(viaProxy.Headers.Contains("Strict-Transport-Security"));
        Assert.False(direct.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task The_auth_request_header_set_is_selectable_and_then_the_other_set_means_nothing()
    {
        await using var dashboard = await AuthDashboard.StartAsync(Settings("auth-request"));
        using var proxy = dashboard.Client(AuthDashboard.ProxyAddress);

        using var authRequest = await Get(proxy, "api/v1/status", ("X-Auth-Request-User", "sam"), ("X-Auth-Request-Groups", "viewers"));
        using var forwarded = await Get(proxy, "api/v1/status", ("X-Forwarded-User", "sam"), ("X-Forwarded-Groups", "viewers"));

        Assert.Equal(HttpStatusCode.OK, authRequest.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forwarded.StatusCode);
    }

    [Fact]
    public async Task State_changing_requests_through_the_proxy_need_the_antiforgery_token()
    {
        using var proxy = _dashboard.Client(AuthDashboard.ProxyAddress);
        (string, string)[] who = [("X-Forwarded-User", "pat"), ("X-Forwarded-Groups", "operators")];
        var html = await (await Get(proxy, "/", who)).Content.ReadAsStringAsync(Ct);
        var token = AntiforgeryForm.TokenIn(html);

        using var forged = await Post(proxy, "auth/sign-out", null, who);
        using var real = await Post(proxy, "auth/sign-out", token, who);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, real.StatusCode);
        Assert.Equal("/oauth2/sign_out", real.Headers.Location!.OriginalString);
        Assert.Single(Audited(AuditActions.Denied), d => d.Actor.Subject == "pat" && d.Details!["reason"]!.GetValue<string>() == "missing or invalid antiforgery token");
        Assert.Single(Audited(AuditActions.SignOut), d => d.Actor.Subject == "pat");
    }

    private IReadOnlyList<AuditRecord> Audited(string action) => _dashboard.Audit.Since(_mark, action);

    internal static async Task<HttpResponseMessage> Get(HttpClient client, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return await client.SendAsync(request, Ct);
    }

    internal static async Task<HttpResponseMessage> Post(HttpClient client, string path, string? antiforgery, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = AntiforgeryForm.With(antiforgery),
        };
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return await client.SendAsync(request, Ct);
    }
}
