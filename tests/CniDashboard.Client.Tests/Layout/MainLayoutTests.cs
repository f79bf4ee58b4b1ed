using CniDashboard.Client.Components.Layout;
using CniDashboard.Client.Tests.Fakes;
using CniDashboard.Shared.Dashboard;
using Microsoft.AspNetCore.Components;
using MudBlazor.Services;

namespace CniDashboard.Client.Tests.Layout;

public class MainLayoutTests : DashboardTestContext
{
    public MainLayoutTests()
    {
        // A desktop-sized window: the responsive drawer stays open instead of closing itself mid-test.
        JSInterop.Setup<BrowserWindowSize>("mudResizeListener.getBrowserWindowSize").SetResult(new BrowserWindowSize { Width = 1440, Height = 900 });
    }

    private IRenderedComponent<MainLayout> RenderLayout() =>
        Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<p id=\"body\">page</p>"))));

    [Fact]
    public void Shows_navigation_the_page_and_the_cluster_status()
    {
        // The Admin link is only for admins.
        SignIn("admin", "oidc", [], Shared.Security.DashboardRole.Admin);
        var cut = RenderLayout();

        Assert.Equal("page", cut.Find("#body").TextContent);
        Assert.Contains("Overview", cut.Find("[data-testid=nav-overview]").TextContent);
        Assert.Contains("Nodes", cut.Find("[data-testid=nav-nodes]").TextContent);
        Assert.Contains("Sandbox errors", cut.Find("[data-testid=nav-sandbox-errors]").TextContent);
        Assert.Equal(("Audit log", "audit"), (cut.Find("[data-testid=nav-audit]").TextContent.Trim(), cut.Find("[data-testid=nav-audit]").GetAttribute("href")));
        cut.WaitForAssertion(() => Assert.Equal("eks-prod-us-west-2", cut.Find("[data-testid=cluster-name]").TextContent));
        var status = cut.Find("[data-testid=connection-status]");
        Assert.Equal("true", status.GetAttribute("data-healthy"));
        Assert.Contains("All 4 watches up", status.TextContent);
        Assert.Contains("last poll 8 s ago", status.TextContent);
        // One replica: nothing about leaders.
        Assert.Empty(cut.FindAll("[data-testid=replica-status]"));
    }

    [Fact]
    public void With_several_replicas_the_status_bar_names_this_replica_and_the_leader()
    {
        Cluster.Connection = Cluster.Connection with { Replica = "cni-dashboard-7d9-b2x", Leader = "cni-dashboard-7d9-a1q" };
        var cut = RenderLayout();

        cut.WaitForAssertion(() => Assert.Equal("· replica cni-dashboard-7d9-b2x · leader cni-dashboard-7d9-a1q", cut.Find("[data-testid=replica-status]").TextContent.Trim()));
    }

    [Fact]
    public void The_theme_toggle_switches_to_dark_and_remembers_it()
    {
        var cut = RenderLayout();
        var toggle = cut.Find("[data-testid=theme-toggle]");
        Assert.Equal("Switch to dark theme", toggle.GetAttribute("aria-label"));

        // MudBlazor measures the window after the first render and re-renders the app bar; click once that has settled.
        cut.WaitForState(() => JSInterop.Invocations.Count(i => i.Identifier == "mudResizeListener.getBrowserWindowSize") >= 2, TimeSpan.FromSeconds(5));
        cut.WaitForState(() => cut.FindAll("[data-testid=cluster-name]").Count == 1, TimeSpan.FromSeconds(5));
        cut.Find("[data-testid=theme-toggle]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Switch to light theme", cut.Find("[data-testid=theme-toggle]").GetAttribute("aria-label")));
        var stored = JSInterop.Invocations.Single(i => i.Identifier == "localStorage.setItem");
        Assert.Equal([MainLayout.ThemeStorageKey, "dark"], stored.Arguments);
    }

    [Fact]
    public void A_remembered_dark_theme_is_restored()
    {
        JSInterop.Setup<string?>("localStorage.getItem", MainLayout.ThemeStorageKey).SetResult("dark");

        var cut = RenderLayout();

        cut.WaitForAssertion(() => Assert.Equal("Switch to light theme", cut.Find("[data-testid=theme-toggle]").GetAttribute("aria-label")));
    }

    [Fact]
    public void A_watch_going_down_shows_as_degraded_when_the_feed_says_so()
    {
        var cut = RenderLayout();
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("[data-testid=connection-status]").GetAttribute("data-healthy")));
        cut.WaitForState(() => Feed.Active >= 1, TimeSpan.FromSeconds(5));

        Cluster.Connection = Cluster.Connection with
        {
            Watches = [.. Cluster.Connection.Watches.Where(w => w.Resource != "events"), new WatchHealth("events", false, SampleCluster.Now.AddMinutes(-3), "410 Gone, relisting")],
        };
        Feed.Publish(FakeClusterChangeFeed.Change(ClusterChangeKind.ConnectionChanged));

        cut.WaitForAssertion(() => Assert.Equal("false", cut.Find("[data-testid=connection-status]").GetAttribute("data-healthy")));
        Assert.Contains("events watch down since 2026-11-20 09:27:00Z: 410 Gone, relisting", cut.Find("[data-testid=connection-status]").TextContent);
        Assert.Contains("Degraded", cut.Find("[data-testid=connection-status]").TextContent);
    }

    [Fact]
    public void The_clock_refreshes_the_poll_age_and_a_late_poll_is_flagged()
    {
        var cut = RenderLayout();
        cut.WaitForAssertion(() => Assert.Contains("last poll 8 s ago", cut.Find("[data-testid=connection-status]").TextContent));

        Clock.Advance(TimeSpan.FromSeconds(60));

        cut.WaitForAssertion(() => Assert.Contains("last poll 1 min ago (late)", cut.Find("[data-testid=connection-status]").TextContent));
        Assert.Equal("false", cut.Find("[data-testid=connection-status]").GetAttribute("data-healthy"));
    }

    [Fact]
    public void Status_that_cannot_be_read_says_so_with_a_retry()
    {
        Queries.Fail(nameof(IDashboardQueries.GetConnectionStatusAsync));

        var cut = RenderLayout();

        cut.WaitForAssertion(() => Assert.Contains("Status unavailable", cut.Find("[data-testid=connection-error]").TextContent));
        Assert.Equal("page", cut.Find("#body").TextContent);
    }

    [Fact]
    public async Task Disposing_the_layout_stops_its_feed_subscription()
    {
        var cut = RenderLayout();
        cut.WaitForState(() => Feed.Active >= 1, TimeSpan.FromSeconds(5));

        await DisposeComponentsAsync();

        Assert.Equal(0, Feed.Active);
        Assert.Equal(1, Feed.Cancelled);
    }

    [Fact]
    public void The_reconnect_banner_is_the_element_blazor_drives()
    {
        var cut = Render<ReconnectBanner>();

        var banner = cut.Find("#components-reconnect-modal");
        Assert.Contains("components-reconnect-hide", banner.ClassList);
        Assert.Equal("alert", banner.GetAttribute("role"));
        Assert.Contains("reconnecting", banner.TextContent);
        Assert.NotNull(cut.Find("[data-reconnect-action=retry]"));
    }
}
