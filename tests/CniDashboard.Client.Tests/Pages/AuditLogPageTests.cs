using CniDashboard.Client.Components.Pages;
using CniDashboard.Shared.Audit;
using CniDashboard.Shared.Security;

namespace CniDashboard.Client.Tests.Pages;

public class AuditLogPageTests : DashboardTestContext
{
    public AuditLogPageTests()
    {
        Audit.Add("settings.changed", details: """{"new":"false","old":"true","setting":"TwoPersonRule"}""");
        Audit.Add("audit.checkpoint", actor: "system", targetKind: "configmap", target: "cni-dashboard/cni-dashboard-audit-checkpoint");
        Audit.Add("auth.denied", actor: "bob", targetKind: "request", target: "PUT /api/v1/settings/TwoPersonRule", outcome: AuditOutcomes.Denied);
        Audit.Add("audit.verified", targetKind: "audit-log", target: "chain", outcome: AuditOutcomes.Failed);
    }

    private IRenderedComponent<AuditLogPage> RenderAt(string url)
    {
        GoTo(url);
        var cut = Render<AuditLogPage>();
        cut.WaitForElement("[data-testid=audit-count]");
        return cut;
    }

    private static string[] Rows(IRenderedComponent<AuditLogPage> cut) =>
        [.. cut.FindAll("[data-testid=audit-entry]").Select(r => r.GetAttribute("data-sequence")!)];

    [Fact]
    public void Entries_are_listed_newest_first_with_actor_action_target_and_outcome()
    {
        var cut = RenderAt("audit");

        Assert.Equal(["4", "3", "2", "1"], Rows(cut));
        var denied = cut.Find("[data-testid=audit-entry][data-sequence='3']");
        Assert.Contains("bob", denied.TextContent);
        Assert.Contains("Admin · oidc", denied.TextContent);
        Assert.Contains("auth.denied", denied.TextContent);
        Assert.Contains("request PUT /api/v1/settings/TwoPersonRule", denied.TextContent);
        Assert.Equal("denied", denied.QuerySelector("[data-testid=audit-outcome]")!.TextContent.Trim());
        Assert.Contains("audit-row-denied", denied.ClassName);
        Assert.Contains("2026-11-20 08:32:00Z", denied.TextContent);
        Assert.Equal("Showing 4 entries, #1–#4 (newest first), of 4 in the log", cut.Find("[data-testid=audit-count]").TextContent.Trim());
    }

    [Theory]
    [InlineData(DashboardRole.Viewer, false)]
    [InlineData(DashboardRole.Admin, true)]
    public void Only_an_admin_is_pointed_to_the_admin_page_to_verify(DashboardRole role, bool shown)
    {
        SignIn("someone", "oidc", [], role);

        var cut = RenderAt("audit");

        Assert.Equal(shown, cut.FindAll("[data-testid=verify-link]").Count == 1);
    }

    [Fact]
    public void Filters_and_the_page_cursor_come_from_the_url()
    {
        var cut = RenderAt("audit?actor=bob&action=auth.denied&targetKind=request&outcome=denied&from=2026-11-20T08:00&to=2026-11-20T09:00&before=10");

        var query = Audit.Queries[^1];
        Assert.Equal(("bob", "auth.denied", "request", "denied", 10L), (query.Actor, query.Action, query.TargetKind, query.Outcome, query.BeforeSequence));
        Assert.Equal((new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero)), (query.From, query.To));
        Assert.Equal(["3"], Rows(cut));
        Assert.Equal("auth.denied", cut.Find("[data-testid=filter-action]").GetAttribute("value"));
        Assert.Equal("2026-11-20T08:00", cut.Find("[data-testid=filter-from]").GetAttribute("value"));
        Assert.Equal("bob", cut.Find("[data-testid=filter-actor]").GetAttribute("value"));
        Assert.NotNull(cut.Find("[data-testid=newest]"));
    }

    [Fact]
    public void Values_that_do_not_parse_are_dropped_not_an_error()
    {
        RenderAt("audit?outcome=maybe&from=yesterday&before=-3");

        var query = Audit.Queries[^1];
        Assert.Equal(((string?)null, (DateTimeOffset?)null, (long?)null), (query.Outcome, query.From, query.BeforeSequence));
    }

    [Fact]
    public void Choosing_a_filter_writes_it_to_the_url_and_starts_from_the_newest_page()
    {
        var cut = RenderAt("audit?before=4");

        cut.Find("[data-testid=filter-action]").Change("settings.changed");
        Assert.EndsWith("audit?action=settings.changed", Navigation.Uri, StringComparison.Ordinal);
        cut.WaitForAssertion(() => Assert.Equal(["1"], Rows(cut)));

        cut.Find("[data-testid=filter-outcome]").Change("failed");
        Assert.EndsWith("audit?action=settings.changed&outcome=failed", Navigation.Uri, StringComparison.Ordinal);
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=empty-state]")));
        Assert.Contains("No entries match these filters.", cut.Find("[data-testid=empty-state]").TextContent);

        cut.Find("[data-testid=clear-filters]").Click();
        Assert.EndsWith("/audit", Navigation.Uri, StringComparison.Ordinal);
        cut.WaitForAssertion(() => Assert.Equal(4, Rows(cut).Length));

        cut.Find("[data-testid=filter-actor]").Change("bob");
        Assert.EndsWith("audit?actor=bob", Navigation.Uri, StringComparison.Ordinal);
        cut.Find("[data-testid=filter-from]").Change("2026-11-20T08:30");
        Assert.EndsWith("audit?actor=bob&from=2026-11-20T08%3A30%3A00Z", Navigation.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void Pages_go_back_by_sequence_number()
    {
        for (var i = 0; i < 60; i++) Audit.Add("test.bulk");

        var cut = RenderAt("audit");

        Assert.Equal(50, Rows(cut).Length);
        Assert.Equal("64", Rows(cut)[0]);
        Assert.Equal("audit?before=15", cut.Find("[data-testid=older]").GetAttribute("href"));
        Assert.Empty(cut.FindAll("[data-testid=newest]"));

        GoTo("audit?before=15");
        cut.WaitForAssertion(() => Assert.Equal(["14", "13", "12", "11", "10", "9", "8", "7", "6", "5", "4", "3", "2", "1"], Rows(cut)));
        Assert.Empty(cut.FindAll("[data-testid=older]"));
        Assert.Equal("audit", cut.Find("[data-testid=newest]").GetAttribute("href"));
    }

    [Fact]
    public void Each_entrys_details_open_with_its_json_hashes_and_where_it_came_from()
    {
        var cut = RenderAt("audit");
        var toggle = cut.Find("[data-testid=audit-entry][data-sequence='1'] [data-testid=toggle-details]");
        Assert.Equal("false", toggle.GetAttribute("aria-expanded"));
        Assert.Empty(cut.FindAll("[data-testid=audit-details]"));

        toggle.Click();

        var details = cut.Find("[data-testid=audit-details]");
        Assert.Equal("true", cut.Find("[data-testid=audit-entry][data-sequence='1'] [data-testid=toggle-details]").GetAttribute("aria-expanded"));
        Assert.Equal("{\n  \"new\": \"false\",\n  \"old\": \"true\",\n  \"setting\": \"TwoPersonRule\"\n}", cut.Find("[data-testid=audit-details-json]").TextContent);
        Assert.Contains(Audit.Entries[0].Hash, details.TextContent);
        Assert.Contains(AuditCanonicalForm.GenesisHash, details.TextContent);
        Assert.Contains("10.0.0.7", details.TextContent);
        Assert.Contains("0HN8:0", details.TextContent);

        cut.Find("[data-testid=audit-entry][data-sequence='1'] [data-testid=toggle-details]").Click();
        Assert.Empty(cut.FindAll("[data-testid=audit-details]"));
    }

    [Fact]
    public void Export_links_carry_the_filters_but_not_the_page()
    {
        var cut = RenderAt("audit?action=auth.denied&outcome=denied&before=3");

        Assert.Equal("api/v1/audit/export?format=csv&action=auth.denied&outcome=denied", cut.Find("[data-testid=export-csv]").GetAttribute("href"));
        Assert.Equal("api/v1/audit/export?format=json&action=auth.denied&outcome=denied", cut.Find("[data-testid=export-json]").GetAttribute("href"));
        Assert.True(cut.Find("[data-testid=export-csv]").HasAttribute("download"));
        Assert.Contains("these entries", cut.Find("[data-testid=audit-export]").TextContent);
    }

    [Fact]
    public void Clicking_an_actor_action_or_target_narrows_to_it()
    {
        var cut = RenderAt("audit");
        var row = cut.Find("[data-testid=audit-entry][data-sequence='2']");

        var links = row.QuerySelectorAll("a").Select(a => a.GetAttribute("href") ?? "").ToArray();

        Assert.Equal(["audit?actor=system-sub", "audit?action=audit.checkpoint", "audit?targetKind=configmap&target=cni-dashboard%2Fcni-dashboard-audit-checkpoint"], links);
    }

    [Fact]
    public void A_failed_query_says_so_and_retries()
    {
        Audit.Fail(nameof(IAuditQueries.GetPageAsync));
        GoTo("audit");
        var cut = Render<AuditLogPage>();
        cut.WaitForElement("[data-testid=query-error]");
        Assert.Contains("Could not load the audit log: database is locked", cut.Find("[data-testid=query-error]").TextContent);

        Audit.Recover();
        cut.Find("[data-testid=retry]").Click();

        cut.WaitForAssertion(() => Assert.Equal(4, Rows(cut).Length));
    }

    [Fact]
    public void An_empty_log_says_nothing_is_recorded_yet()
    {
        Audit.Entries.Clear();

        var cut = RenderAt("audit");

        Assert.Contains("Nothing recorded yet.", cut.Find("[data-testid=empty-state]").TextContent);
        Assert.Equal("0 entries in the log", cut.Find("[data-testid=audit-count]").TextContent.Trim());
    }
}
