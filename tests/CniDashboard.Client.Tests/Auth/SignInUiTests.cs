using CniDashboard.Client.Components.Auth;
using CniDashboard.Client.Components.Layout;
using CniDashboard.Client.Components.Pages;
using CniDashboard.Shared.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace CniDashboard.Client.Tests.Auth;

/// <summary>The app bar's user menu, the access pages and the in-circuit refusal.</summary>
public sealed class SignInUiTests : DashboardTestContext
{
    private static readonly AccessSettings Oidc = new(
        "oidc",
        "https://idp.example.com/",
        "the \"groups\" claim (Dashboard:Auth:Oidc:RolesClaim)",
        "Dashboard:Auth:Roles",
        new Dictionary<DashboardRole, IReadOnlyList<string>> { [DashboardRole.Viewer] = ["sre"], [DashboardRole.Admin] = ["platform-admins", "sec"] },
        new Dictionary<DashboardRole, IReadOnlyList<string>> { [DashboardRole.Operator] = ["system:serviceaccount:ci:deployer"] },
        "/auth/sign-out");

    [Fact]
    public void The_user_menu_shows_who_is_signed_in_their_roles_and_a_sign_out_form_with_the_antiforgery_token()
    {
        Access = Oidc;
        SignIn("Olga Operator", "oidc", ["ops"], DashboardRole.Operator, DashboardRole.Approver);

        var cut = Render<UserMenu>();

        Assert.Equal("Olga Operator", cut.Find("[data-testid=user-name]").TextContent);
        Assert.Equal(["Operator", "Approver"], cut.FindAll("[data-testid=user-role]").Select(r => r.TextContent));
        var form = cut.Find("[data-testid=sign-out-form]");
        Assert.Equal(("post", "/auth/sign-out"), (form.GetAttribute("method"), form.GetAttribute("action")));
        Assert.NotNull(form.QuerySelector("button[type=submit]"));
        Assert.Equal("test-antiforgery-token", form.QuerySelector("input[type=hidden][name=__RequestVerificationToken]")!.GetAttribute("value"));
    }

    [Fact]
    public void Without_sign_in_the_menu_says_so_and_offers_no_sign_out()
    {
        SignIn("local (no sign-in)", "none", [], DashboardRole.Viewer);

        var cut = Render<UserMenu>();

        Assert.Equal("no sign-in · read-only", cut.Find("[data-testid=no-sign-in]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=sign-out-form]"));
    }

    [Fact]
    public void Nobody_signed_in_renders_no_menu()
    {
        var cut = Render<UserMenu>();

        Assert.Empty(cut.FindAll("[data-testid=user-menu]"));
    }

    [Fact]
    public void The_no_access_page_names_the_persons_groups_and_the_setting_that_maps_them()
    {
        Access = Oidc;
        SignIn("Otto Outsider", "oidc", ["contractors", "team-payments"]);

        var cut = Render<CascadingAuthenticationState>(p => p.AddChildContent<NoAccess>());

        Assert.Equal("false", cut.Find("[data-testid=no-access]").GetAttribute("data-has-role"));
        Assert.Equal(["contractors", "team-payments"], cut.FindAll("[data-testid=your-groups] li").Select(li => li.TextContent));
        Assert.Equal("Dashboard:Auth:Roles", cut.Find("[data-testid=role-map-setting]").TextContent);
        Assert.Contains("Dashboard__Auth__Roles__Viewer__0=contractors", cut.Markup, StringComparison.Ordinal);
        Assert.NotNull(cut.Find("[data-testid=sign-out-form]"));
    }

    [Fact]
    public void The_no_access_page_says_when_the_groups_were_left_out_of_the_token()
    {
        Access = Oidc;
        SignIn("Erin Entra", "oidc", []);
        Authorization.SetClaims([new(DashboardClaimTypes.Name, "Erin Entra"), new(DashboardClaimTypes.GroupsOverage, "true")]);

        var cut = Render<CascadingAuthenticationState>(p => p.AddChildContent<NoAccess>());

        Assert.Contains("too many", cut.Find("[data-testid=groups-overage]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=your-groups]"));
    }

    [Fact]
    public void For_a_person_with_a_role_the_no_access_page_says_the_role_does_not_allow_it()
    {
        SignIn("local (no sign-in)", "none", [], DashboardRole.Viewer);

        var cut = Render<CascadingAuthenticationState>(p => p.AddChildContent<NoAccess>());

        Assert.Equal("true", cut.Find("[data-testid=no-access]").GetAttribute("data-has-role"));
        Assert.Contains("Dashboard:Auth:Mode=none", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void The_access_page_lists_every_role_with_its_groups_and_the_serviceaccounts()
    {
        Access = Oidc;

        var cut = Render<AccessPage>();

        Assert.Equal("oidc", cut.Find("[data-testid=access-mode]").GetAttribute("data-mode"));
        Assert.Equal(["Viewer", "Operator", "Approver", "Admin"], cut.FindAll("[data-testid=role-map] tbody tr").Select(r => r.GetAttribute("data-role")));
        Assert.Equal("platform-admins, sec", cut.Find("[data-testid=role-map] tr[data-role=Admin] td:last-child").TextContent);
        Assert.Equal("—", cut.Find("[data-testid=role-map] tr[data-role=Operator] td:last-child").TextContent);
        Assert.Contains("system:serviceaccount:ci:deployer", cut.Find("[data-testid=service-account-map]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_refused_inside_a_circuit_is_recorded_once_and_explained()
    {
        SignIn("Vic Viewer", "oidc", ["viewers"], DashboardRole.Viewer);
        GoTo("admin/access");
        var principal = await Services.GetRequiredService<AuthenticationStateProvider>().GetAuthenticationStateAsync();

        var cut = Render<AccessDenied>(p => p.Add(x => x.State, principal));

        Assert.Equal("true", cut.Find("[data-testid=access-denied]").GetAttribute("data-signed-in"));
        Assert.Contains("Viewer", cut.Markup, StringComparison.Ordinal);
        Assert.Equal(["/admin/access"], Denials.Resources);
    }

    [Fact]
    public void When_the_session_has_ended_the_refusal_offers_sign_in_back_to_the_same_page_and_records_nothing()
    {
        GoTo("nodes?severity=critical");

        var cut = Render<AccessDenied>(p => p.Add(x => x.State, new AuthenticationState(new System.Security.Claims.ClaimsPrincipal())));

        Assert.Equal("/auth/sign-in?returnUrl=%2Fnodes%3Fseverity%3Dcritical", cut.Find("[data-testid=sign-in-again]").GetAttribute("href"));
        Assert.Empty(Denials.Resources);
    }

    [Theory]
    [InlineData(DashboardRole.Viewer, false)]
    [InlineData(DashboardRole.Operator, false)]
    [InlineData(DashboardRole.Approver, false)]
    [InlineData(DashboardRole.Admin, true)]
    public void Only_an_admin_sees_the_access_and_admin_links_in_the_navigation(DashboardRole role, bool shown)
    {
        JSInterop.Setup<BrowserWindowSize>("mudResizeListener.getBrowserWindowSize").SetResult(new BrowserWindowSize { Width = 1440, Height = 900 });
        SignIn("someone", "oidc", [], role);

        var cut = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(_ => { })));

        Assert.NotNull(cut.Find("[data-testid=nav-nodes]"));
        Assert.Equal(shown, cut.FindAll("[data-testid=nav-access]").Count == 1);
        Assert.Equal(shown, cut.FindAll("[data-testid=nav-admin]").Count == 1);
        // Every role reads the audit log.
        Assert.Equal("audit", cut.Find("[data-testid=nav-audit]").GetAttribute("href"));
    }
}
