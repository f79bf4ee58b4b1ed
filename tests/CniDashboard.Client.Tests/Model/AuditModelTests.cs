using CniDashboard.Client.Model;
using CniDashboard.Shared.Settings;

namespace CniDashboard.Client.Tests.Model;

public class AuditModelTests
{
    [Fact]
    public void A_filter_survives_the_round_trip_through_its_url()
    {
        var filter = new AuditFilter
        {
            Actor = "alice@example.com",
            Action = "settings.changed",
            TargetKind = "setting",
            Target = "Two Person",
            Outcome = "denied",
            From = new DateTimeOffset(2026, 12, 7, 10, 30, 0, TimeSpan.Zero),
            To = new DateTimeOffset(2026, 12, 7, 11, 0, 0, TimeSpan.Zero),
            Before = 120,
        };
        var p = filter.ToQueryParameters();

        var back = AuditFilter.FromQuery((string?)p["actor"], (string?)p["action"], (string?)p["targetKind"], (string?)p["target"], (string?)p["outcome"], (string?)p["from"], (string?)p["to"], (string?)p["before"]);

        Assert.Equal(filter, back);
        Assert.Equal("audit?actor=alice%40example.com&action=settings.changed&targetKind=setting&target=Two%20Person&outcome=denied&from=2026-12-07T10%3A30&to=2026-12-07T11%3A00&before=120",
            Links.WithQuery(Links.Audit, p));
        Assert.Equal("api/v1/audit/export?format=json&actor=alice%40example.com&action=settings.changed&targetKind=setting&target=Two%20Person&outcome=denied&from=2026-12-07T10%3A30&to=2026-12-07T11%3A00",
            filter.ExportUrl("json"));
        Assert.True(filter.IsFiltered);
        Assert.False(new AuditFilter { Before = 3 }.IsFiltered);
    }

    [Fact]
    public void Entries_read_as_words()
    {
        Assert.Equal("Viewer, Admin", AuditText.Roles("""["Viewer","Admin"]"""));
        Assert.Equal("none", AuditText.Roles("[]"));
        Assert.Equal("not json", AuditText.PrettyDetails("not json"));
        Assert.Equal("{\n  \"a\": [\n    1\n  ]\n}", AuditText.PrettyDetails("""{"a":[1]}"""));
        Assert.Equal(("40 ms", "1.5 s", "2 min"), (AuditText.Elapsed(TimeSpan.FromMilliseconds(40)), AuditText.Elapsed(TimeSpan.FromSeconds(1.5)), AuditText.Elapsed(TimeSpan.FromMinutes(2))));
        Assert.Equal("audit?before=8", AuditText.EntryLink(7));
        Assert.Equal("0123456789ab…", AuditText.ShortHash("0123456789abcdef"));
    }

    [Fact]
    public void A_setting_draft_checks_as_typed_and_compares_in_the_stored_form()
    {
        var draft = new SettingDraft(new RuntimeSettingValue
        {
            Name = "ApprovalLifetime", Title = "Approval lifetime", Description = "", Kind = RuntimeSettingKind.Duration,
            Range = DashboardSettings.ApprovalLifetime.Range, Value = "24h", DefaultValue = "24h",
        });

        draft.Text = "1440m";
        Assert.False(draft.IsDirty);
        Assert.False(draft.CanSave);
        draft.Text = "2d";
        Assert.True(draft.CanSave);
        draft.Text = "45d";
        Assert.Contains("from 5m to 30d", draft.Problem, StringComparison.Ordinal);
        Assert.False(draft.CanSave);
    }
}
