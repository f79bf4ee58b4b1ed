using System.Net;
using CniDashboard.Demo.SignIn;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Security;

namespace CniDashboard.Server.Tests.Auth;

/// <summary>Kubernetes ServiceAccount tokens on the API, checked with TokenReview against the (emulated) API server.</summary>
public sealed class ServiceAccountTests : IAsyncLifetime
{
    private AuthDashboard _dashboard = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var settings = ProxySignInTests.Settings();
        settings["Dashboard:Auth:ServiceAccounts:Enabled"] = "true";
        settings["Dashboard:Auth:ServiceAccounts:Roles:Viewer:0"] = "system:serviceaccounts:monitoring";
        settings["Dashboard:Auth:ServiceAccounts:Roles:Operator:0"] = "system:serviceaccount:ci:deployer";
        _dashboard = await AuthDashboard.StartAsync(settings);
    }

    public async ValueTask DisposeAsync() => await _dashboard.DisposeAsync();

    [Fact]
    public async Task A_mapped_serviceaccount_by_username_or_by_group_gets_its_role()
    {
        var tokens = _dashboard.Kube.Api.Tokens;
        using var client = _dashboard.Client();

        using var deployer = await OidcSignInTests.Send(client, "api/v1/status", tokens.IssueServiceAccountToken("ci", "deployer", audiences: ["cni-dashboard"]));
        using var grafana = await OidcSignInTests.Send(client, "api/v1/status", tokens.IssueServiceAccountToken("monitoring", "grafana", audiences: ["cni-dashboard"]));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (deployer.StatusCode, grafana.StatusCode));
        var signIns = _dashboard.Audit.With(AuditActions.SignIn);
        Assert.Equal([DashboardRole.Operator], Assert.Single(signIns, s => s.Actor.Subject == "system:serviceaccount:ci:deployer").Actor.Roles);
        Assert.Equal([DashboardRole.Viewer], Assert.Single(signIns, s => s.Actor.Subject == "system:serviceaccount:monitoring:grafana").Actor.Roles);
        Assert.All(signIns, s => Assert.Equal("serviceaccount", s.Actor.Method));
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused_and_an_unmapped_serviceaccount_has_no_role()
    {
        var tokens = _dashboard.Kube.Api.Tokens;
        using var client = _dashboard.Client();

        using var kubeAudience = await OidcSignInTests.Send(client, "api/v1/status", tokens.IssueServiceAccountToken("ci", "deployer"));
        using var unmapped = await OidcSignInTests.Send(client, "api/v1/status", tokens.IssueServiceAccountToken("default", "default", audiences: ["cni-dashboard"]));
        using var page = await OidcSignInTests.Send(client, "/", tokens.IssueServiceAccountToken("ci", "deployer", audiences: ["cni-dashboard"]));

        Assert.Equal(HttpStatusCode.Unauthorized, kubeAudience.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unmapped.StatusCode);
        // Tokens are for the API and the hub; pages are for people.
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Equal("serviceaccount", Assert.Single(_dashboard.Audit.With(AuditActions.SignInFailed)).Details!["method"]!.GetValue<string>());
        Assert.Single(_dashboard.Audit.With(AuditActions.Denied), d => d.Actor.Subject == "system:serviceaccount:default:default");
    }

    [Fact]
    public async Task Beside_oidc_each_bearer_token_goes_to_whoever_issued_it()
    {
        var settings = OidcSignInTests.OidcSettings();
        settings["Dashboard:Auth:ServiceAccounts:Enabled"] = "true";
        settings["Dashboard:Auth:ServiceAccounts:Roles:Viewer:0"] = "system:serviceaccount:ci:deployer";
        await using var dashboard = await AuthDashboard.StartAsync(settings);
        var jwt = await HeadlessSignIn.GetAccessTokenAsync(dashboard.IdentityProvider!, dashboard.BaseAddress, "operator", Ct);
        var serviceAccount = dashboard.Kube.Api.Tokens.IssueServiceAccountToken("ci", "deployer", audiences: ["cni-dashboard"]);
        using var client = dashboard.Client();

        using var person = await OidcSignInTests.Send(client, "api/v1/status", jwt);
        using var robot = await OidcSignInTests.Send(client, "api/v1/status", serviceAccount);
        using var junk = await OidcSignInTests.Send(client, "api/v1/status", "junk");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Unauthorized), (person.StatusCode, robot.StatusCode, junk.StatusCode));
        var methods = dashboard.Audit.With(AuditActions.SignIn).ToDictionary(s => s.Actor.Subject, s => s.Actor.Method);
        Assert.Equal("bearer", methods["operator"]);
        Assert.Equal("serviceaccount", methods["system:serviceaccount:ci:deployer"]);
    }
}
