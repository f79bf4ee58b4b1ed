using System.Text.RegularExpressions;
using CniDashboard.E2E.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CniDashboard.E2E.Tests;

/// <summary>
/// People sign in to the demo through its identity provider's pages, each sees what their role
/// allows and nothing more, and signing out ends the session.
/// </summary>
[Collection(Phase.AsFound)]
public sealed partial class SignInTests(DemoDashboard dashboard)
{
    public static TheoryData<string, string, string> Roles => new()
    {
        { "viewer", "Vic Viewer", "Viewer" },
        { "operator", "Olga Operator", "Operator" },
        { "approver", "Ann Approver", "Approver" },
        { "admin", "Ada Admin", "Admin" },
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task Each_role_signs_in_through_the_identity_providers_page_and_sees_its_name_and_role(string user, string name, string role)
    {
        await using var browser = await dashboard.SignInAsync("/nodes", user, async pick =>
        {
            await Expect(pick.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to CNI Dashboard" })).ToBeVisibleAsync();
            await Expect(pick.Page.GetByTestId("pick-approver2")).ToBeVisibleAsync();
            if (user == "viewer") await pick.ScreenshotAsync("idp-pick-a-user", fullPage: false);
        });
        var page = browser.Page;

        // Back where they started, signed in.
        await Expect(page).ToHaveURLAsync(new Regex("/nodes$"));
        var menu = page.GetByTestId("user-menu");
        await Expect(menu.GetByTestId("user-name")).ToHaveTextAsync(name);
        await Expect(menu.GetByTestId("user-role")).ToHaveTextAsync([role]);
        await Expect(menu.GetByTestId("sign-out")).ToBeVisibleAsync();
        await browser.ScreenshotAsync($"app-bar-{user}", page.Locator("header.mud-appbar"));
        browser.AssertNoScriptErrors();
    }

    [Fact]
    public async Task The_viewer_finds_no_write_control_on_any_page()
    {
        await using var browser = await dashboard.OpenAsync("/", "viewer");
        var page = browser.Page;
        foreach (var path in new[] { "/", "/nodes", $"/nodes/{dashboard.IncidentNodes[0]}", "/sandbox-errors" })
        {
            await page.GotoAsync(path);
            await browser.WaitForInteractiveAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();

            // Controls that need more than View are marked with their policy; the viewer is shown none,
            // and the only form that posts anything is sign-out.
            await Expect(page.Locator("[data-requires-policy]")).ToHaveCountAsync(0);
            var posting = await page.Locator("form").EvaluateAllAsync<string[]>("forms => forms.filter(f => (f.method || '').toLowerCase() === 'post').map(f => f.getAttribute('data-testid') || f.action)");
            Assert.Equal(["sign-out-form"], posting);
        }

        browser.AssertNoScriptErrors();
    }

    [Theory]
    [InlineData("viewer")]
    [InlineData("operator")]
    [InlineData("approver")]
    public async Task Only_an_admin_reaches_the_access_page_and_the_others_are_refused_by_the_server_not_only_by_hiding(string user)
    {
        await using var browser = await dashboard.OpenAsync("/", user);
        var page = browser.Page;
        await Expect(page.GetByTestId("nav-nodes")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("nav-access")).ToHaveCountAsync(0);

        // Typed into the address bar: the server refuses it and explains.
        await page.GotoAsync("/admin/access");

        await Expect(page).ToHaveURLAsync(new Regex("/auth/no-access"));
        await Expect(page.GetByTestId("no-access")).ToHaveAttributeAsync("data-has-role", "true");
        await Expect(page.GetByTestId("no-access")).ToContainTextAsync("not allow");
        browser.AssertNoScriptErrors();
    }

    [Fact]
    public async Task The_admin_sees_the_access_page_with_the_role_map()
    {
        await using var browser = await dashboard.OpenAsync("/", "admin");
        var page = browser.Page;

        await page.GetByTestId("nav-access").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/admin/access$"));
        await Expect(page.GetByTestId("access-mode")).ToHaveAttributeAsync("data-mode", "oidc");
        var map = page.GetByTestId("role-map");
        await Expect(map.Locator("tr[data-role=Operator] td").Last).ToHaveTextAsync("cni-operators");
        await Expect(map.Locator("tr[data-role=Admin] td").Last).ToHaveTextAsync("cni-admins");
        await browser.ScreenshotAsync("access-page");
        browser.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_person_whose_groups_map_to_no_role_gets_a_page_naming_their_groups_and_the_setting()
    {
        await using var browser = await dashboard.SignInAsync("/", DemoDashboard.Outsider.Id, waitForCircuit: false);
        var page = browser.Page;

        await Expect(page).ToHaveURLAsync(new Regex("/auth/no-access"));
        var section = page.GetByTestId("no-access");
        await Expect(section).ToHaveAttributeAsync("data-has-role", "false");
        await Expect(page.GetByTestId("no-access-name")).ToHaveTextAsync(DemoDashboard.Outsider.Name);
        await Expect(page.GetByTestId("your-groups").Locator("li")).ToHaveTextAsync(["contractors", "team-payments"]);
        await Expect(page.GetByTestId("role-map-setting")).ToHaveTextAsync("Dashboard:Auth:Roles");
        await browser.ScreenshotAsync("no-access");

        // Nothing else opens for them, page or API.
        await page.GotoAsync("/nodes");
        await Expect(page).ToHaveURLAsync(new Regex("/auth/no-access"));
        var api = await page.APIRequest.GetAsync("/api/v1/status");
        Assert.Equal(403, api.Status);
        browser.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Signing_out_ends_the_session_even_for_a_copy_of_its_cookie()
    {
        await using var browser = await dashboard.SignInAsync("/", "operator");
        var page = browser.Page;
        var before = await page.Context.StorageStateAsync();

        await page.GetByTestId("sign-out").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/auth/signed-out$"));
        await Expect(page.GetByTestId("signed-out")).ToBeVisibleAsync();
        var cookies = await page.Context.CookiesAsync([dashboard.BaseAddress.ToString()]);
        Assert.DoesNotContain(cookies, c => c.Name == "cni-dashboard.session");
        // Opening the dashboard again asks the identity provider who you are.
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(dashboard.IdentityProvider.Issuer.ToString())));

        // A copy of the session cookie taken before signing out no longer works.
        await using var copy = await dashboard.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = dashboard.BaseAddress.ToString(), StorageState = before });
        var response = await copy.APIRequest.GetAsync("/api/v1/status");
        Assert.Equal(401, response.Status);
        browser.AssertNoScriptErrors();
    }
}
