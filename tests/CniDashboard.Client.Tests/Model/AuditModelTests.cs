using CniDashboard.Client.Model;
using CniDashboard.Shared.Audit;
using CniDashboard.Shared.Settings;

namespace CniDashboard.Client.Tests.Model;

public class AuditModelTests
{
    [Fact]
    public void A_query_survives_the_round_trip_through_its_url_and_its_export_carries_the_filters()
    {
        var query = new AuditQuery
        {
            Actor = "alice@example.com",
            Action = "settings.changed",
            TargetKind = "setting",
            Target = "Two Person",
            Outcome = "denied",
            From = new DateTimeOffset(2026, 12, 7, 10, 30, 0, TimeSpan.Zero),
            To = new DateTimeOffset(2026, 12, 7, 11, 0, 0, TimeSpan.Zero),
            BeforeSequence = 120,
        };
        var url = AuditFilter.PageUrl(query);
        var p = System.Web.HttpUtility.ParseQueryString(url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..]);

        var back = AuditFilter.FromQuery(p["actor"], p["action"], p["targetKind"], p["target"], p["outcome"], p["from"], p["to"], p["before"]);

        Assert.Equal(query, back);
        Assert.Equal("audit?actor=alice%40example.com&action=settings.changed&targetKind=setting&target=Two%20Person&outcome=denied&from=2026-12-07T10%3A30%3A00Z&to=2026-12-07T11%3A00%3A00Z&before=120", url);
        Assert.Equal("api/v1/audit/export?format=json&actor=alice%40example.com&action=settings.changed&targetKind=setting&target=Two%20Person&outcome=denied&from=2026-12-07T10%3A30%3A00Z&to=2026-12-07T11%3A00%3A00Z",
            AuditFilter.ExportUrl(query, "json"));
        Assert.Equal("2026-12-07T10:30", AuditFilter.InputTime(query.From));
        Assert.Equal(query.From, AuditFilter.ParseTime("2026-12-07T10:30"));
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
