using System.Net;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Auth;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Security;

namespace CniDashboard.Server.Tests.Auth;

/// <summary>
/// Security headers on every response, and antiforgery plus roles on state-changing requests — shown
/// on an Operate endpoint mapped for the test the way the remediation API will map its own.
/// </summary>
public sealed class WebSecurityTests : IAsyncLifetime
{
    private const string WritePath = "/api/v1/test-writes";
    private AuthDashboard _dashboard = null!;
    private int _writes;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var settings = ProxySignInTests.Settings();
        settings["Dashboard:Auth:ServiceAccounts:Enabled"] = "true";
        settings["Dashboard:Auth:ServiceAccounts:Roles:Operator:0"] = "system:serviceaccount:ci:deployer";
        _dashboard = await AuthDashboard.StartAsync(settings, app =>
            app.MapPost(WritePath, () =>
            {
                Interlocked.Increment(ref _writes);
                return TypedResults.NoContent();
            }).RequireAuthorization(DashboardPolicies.View, DashboardPolicies.Operate));
    }

    public async ValueTask DisposeAsync() => await _dashboard.DisposeAsync();

    [Theory]
    [InlineData("/")]
    [InlineData("/api/v1/status")]
    [InlineData("/healthz")]
    [InlineData("/metrics")]
    [InlineData("/_framework/blazor.web.js")]
    [InlineData("/auth/no-access")]
    [InlineData("/no-such-page")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        using var proxy = _dashboard.Client(AuthDashboard.ProxyAddress);

        using var response = await ProxySignInTests.Get(proxy, path, ("X-Forwarded-User", "ann"), ("X-Forwarded-Groups", "viewers"));

        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy")).Split(';', StringSplitOptions.TrimEntries);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.DoesNotContain(csp, d => d.StartsWith("script-src", StringComparison.Ordinal) && d.Contains("unsafe", StringComparison.Ordinal));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    [Fact]
    public async Task A_viewers_post_is_refused_and_recorded_and_nothing_is_written()
    {
        using var proxy = _dashboard.Client(AuthDashboard.ProxyAddress);
        var token = await AntiforgeryTokenAsync(proxy, "vic", "viewers");

        using var response = await ProxySignInTests.Post(proxy, WritePath, token, ("X-Forwarded-User", "vic"), ("X-Forwarded-Groups", "viewers"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, _writes);
        var denied = Assert.Single(_dashboard.Audit.With(AuditActions.Denied));
        Assert.Equal(("vic", $"POST {WritePath}", "role without the policy"), (denied.Actor.Subject, denied.Target!.Name, denied.Details!["reason"]!.GetValue<string>()));
        Assert.Contains("operate", denied.Details!["policy"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operators_post_without_the_antiforgery_token_is_refused_and_recorded_and_with_it_goes_through()
    {
        using var proxy = _dashboard.Client(AuthDashboard.ProxyAddress);
        (string, string)[] operatorHeaders = [("X-Forwarded-User", "olga"), ("X-Forwarded-Groups", "operators")];
        var token = await AntiforgeryTokenAsync(proxy, "olga", "operators");

        using var missing = await ProxySignInTests.Post(proxy, WritePath, null, operatorHeaders);
        using var wrong = await ProxySignInTests.Post(proxy, WritePath, token[..^2] + "xx", operatorHeaders);
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (missing.StatusCode, wrong.StatusCode));
        Assert.Equal(0, _writes);
        Assert.Equal(2, _dashboard.Audit.With(AuditActions.Denied).Count(d => d.Actor.Subject == "olga" && d.Details!["reason"]!.GetValue<string>() == "missing or invalid antiforgery token"));

        using var header = new HttpRequestMessage(HttpMethod.Post, WritePath);
        foreach (var (name, value) in operatorHeaders) header.Headers.Add(name, value);
        header.Headers.Add(CookieAntiforgery.HeaderName, token);
        using var viaHeader = await proxy.SendAsync(header, Ct);
        using var viaForm = await ProxySignInTests.Post(proxy, WritePath, token, operatorHeaders);

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent), (viaHeader.StatusCode, viaForm.StatusCode));
        Assert.Equal(2, _writes);
    }

    [Fact]
    public async Task A_bearer_token_needs_no_antiforgery_token_another_site_cannot_make_a_browser_send_one()
    {
        var token = _dashboard.Kube.Api.Tokens.IssueServiceAccountToken("ci", "deployer", audiences: ["cni-dashboard"]);
        using var client = _dashboard.Client();

        using var response = await OidcSignInTests.Send(client, WritePath, token, HttpMethod.Post);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(1, _writes);
    }

    private async Task<string> AntiforgeryTokenAsync(HttpClient proxy, string user, string groups)
    {
        using var page = await ProxySignInTests.Get(proxy, "/", ("X-Forwarded-User", user), ("X-Forwarded-Groups", groups));
        var html = await page.Content.ReadAsStringAsync(Ct);
        return AntiforgeryForm.TokenIn(html);
    }
}
