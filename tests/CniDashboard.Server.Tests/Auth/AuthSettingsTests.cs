using System.Net;
using CniDashboard.Server.Options;
using CniDashboard.Server.Tests.Support;

namespace CniDashboard.Server.Tests.Auth;

/// <summary>Sign-in settings that would not work, or not be safe, are refused at start with a line naming the setting.</summary>
public sealed class AuthSettingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string> Refused => new()
    {
        { "Mode", "ldap", "Dashboard:Auth:Mode 'ldap' is not a sign-in mode" },
        { "Oidc", "no authority", "Dashboard:Auth:Oidc:Authority" },
        { "Oidc", "http authority", "must use https" },
        { "Oidc", "no client id", "Dashboard:Auth:Oidc:ClientId" },
        { "Oidc", "no role map", "Dashboard:Auth:Roles maps no group" },
        { "Proxy", "no trusted networks", "Dashboard:Auth:Proxy:TrustedNetworks must list" },
        { "Proxy", "bad network", "'10.0.0.0/33' is not a CIDR" },
        { "Proxy", "bad header set", "Dashboard:Auth:Proxy:Headers 'x-user'" },
        { "ServiceAccounts", "with none", "Dashboard:Auth:ServiceAccounts:Enabled needs" },
        { "Session", "too short", "Dashboard:Auth:SessionLifetime" },
        { "Management", "same port", "Dashboard:Management:Port must differ" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Unusable_settings_are_refused_naming_the_setting(string area, string what, string expected)
    {
        var options = new DashboardOptions();
        var auth = options.Auth;
        switch ((area, what))
        {
            case ("Mode", _):
                auth.Mode = "ldap";
                break;
            case ("Oidc", _):
                auth.Mode = "oidc";
                auth.Oidc.Authority = what == "http authority" ? "http://idp.example.com/" : what == "no authority" ? null : "https://idp.example.com/";
                auth.Oidc.ClientId = what == "no client id" ? null : "cni-dashboard";
                if (what != "no role map") auth.Roles.Admin.Add("platform-admins");
                break;
            case ("Proxy", _):
                auth.Mode = "proxy";
                auth.Roles.Viewer.Add("everyone");
                auth.Proxy.Headers = what == "bad header set" ? "x-user" : "forwarded";
                if (what == "bad network") auth.Proxy.TrustedNetworks.Add("10.0.0.0/33");
                if (what == "bad header set") auth.Proxy.TrustedNetworks.Add("10.0.0.0/8");
                break;
            case ("ServiceAccounts", _):
                auth.ServiceAccounts.Enabled = true;
                auth.ServiceAccounts.Roles.Viewer.Add("system:serviceaccounts:monitoring");
                break;
            case ("Session", _):
                auth.SessionLifetime = TimeSpan.FromMinutes(1);
                break;
            case ("Management", _):
                options.Management.Port = options.Port;
                break;
        }

        var result = new DashboardOptionsValidator().Validate(null, options);

        Assert.True(result.Failed, what);
        Assert.Contains(result.Failures!, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5556/dex")]
    [InlineData("https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0")]
    public void Oidc_with_an_https_or_loopback_issuer_a_client_and_a_role_map_may_listen_beyond_loopback(string authority)
    {
        var options = new DashboardOptions { ListenAddress = "0.0.0.0" };
        options.Auth.Mode = "oidc";
        options.Auth.Oidc.Authority = authority;
        options.Auth.Oidc.ClientId = "cni-dashboard";
        options.Auth.Roles.Viewer.Add("sre");

        var result = new DashboardOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public async Task The_management_listener_answers_health_and_metrics_and_nothing_else()
    {
        var port = CniDashboard.Demo.FreePort.Pick();
        await using var dashboard = await AuthDashboard.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:Management:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Dashboard:Management:ListenAddress"] = "127.0.0.1",
        });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        using var health = await client.GetAsync("healthz", Ct);
        using var metrics = await client.GetAsync("metrics", Ct);
        using var api = await client.GetAsync("api/v1/status", Ct);
        using var page = await client.GetAsync("/", Ct);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (health.StatusCode, metrics.StatusCode));
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (api.StatusCode, page.StatusCode));
        // The main listener still serves the API (none mode: loopback Viewer).
        using var main = dashboard.Client();
        using var status = await main.GetAsync("api/v1/status", Ct);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
    }

    [Fact]
    public async Task Without_sign_in_everyone_on_loopback_is_a_read_only_viewer()
    {
        await using var dashboard = await AuthDashboard.StartAsync(new Dictionary<string, string?>());
        using var client = dashboard.Client();

        using var status = await client.GetAsync("api/v1/status", Ct);
        using var admin = await client.GetAsync("admin/access", Ct);
        var html = await client.GetStringAsync("/", Ct);

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
        Assert.Equal("/auth/no-access", admin.Headers.Location!.OriginalString);
        Assert.Contains("no sign-in · read-only", html, StringComparison.Ordinal);
        Assert.Contains("data-role=\"Viewer\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("sign-out-form", html, StringComparison.Ordinal);
    }
}
