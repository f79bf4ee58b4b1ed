using CniDashboard.Client.Components.Pages;
using CniDashboard.Shared.Audit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace CniDashboard.Client.Tests.Pages;

public class AdminPageTests : DashboardTestContext
{
    private IRenderedComponent<AdminPage> RenderLoaded()
    {
        var cut = Render<AdminPage>();
        cut.WaitForElement("[data-testid=setting]");
        return cut;
    }

    private static AngleSharp.Dom.IElement Setting(IRenderedComponent<AdminPage> cut, string name) =>
        cut.Find($"[data-testid=setting][data-name={name}]");

    [Fact]
    public void Every_setting_is_listed_with_its_value_default_and_history()
    {
        var cut = RenderLoaded();

        Assert.Equal(["TwoPersonRule", "RequiredApprovals", "ApprovalLifetime"], cut.FindAll("[data-testid=setting]").Select(s => s.GetAttribute("data-name")));
        Assert.True(Setting(cut, "TwoPersonRule").QuerySelector("[data-testid=setting-input]")!.HasAttribute("checked"));
        Assert.Equal("1", Setting(cut, "RequiredApprovals").QuerySelector("[data-testid=setting-input]")!.GetAttribute("value"));
        Assert.Equal("24h", Setting(cut, "ApprovalLifetime").QuerySelector("[data-testid=setting-input]")!.GetAttribute("value"));
        Assert.Contains("Default 24h", Setting(cut, "ApprovalLifetime").TextContent);
        Assert.Contains("never changed", Setting(cut, "ApprovalLifetime").TextContent);
        Assert.All(cut.FindAll("[data-testid=setting-save]"), b => Assert.True(b.HasAttribute("disabled")));
    }

    [Fact]
    public void A_value_the_setting_does_not_accept_is_explained_and_cannot_be_saved()
    {
        var cut = RenderLoaded();

        Setting(cut, "RequiredApprovals").QuerySelector("[data-testid=setting-input]")!.Input("0");

        Assert.Contains("a whole number from 1 to 10", Setting(cut, "RequiredApprovals").QuerySelector("[data-testid=setting-problem]")!.TextContent);
        Assert.True(Setting(cut, "RequiredApprovals").QuerySelector("[data-testid=setting-save]")!.HasAttribute("disabled"));
        Assert.Empty(Settings.Updates);
    }

    [Fact]
    public void Saving_a_change_stores_it_and_shows_who_changed_it_with_its_audit_entry()
    {
        var cut = RenderLoaded();

        Setting(cut, "ApprovalLifetime").QuerySelector("[data-testid=setting-input]")!.Input("48h");
        Setting(cut, "ApprovalLifetime").QuerySelector("[data-testid=setting-save]")!.Click();

        Assert.Equal([("ApprovalLifetime", "48h")], Settings.Updates);
        cut.WaitForAssertion(() => Assert.Equal("2d", Setting(cut, "ApprovalLifetime").QuerySelector("[data-testid=setting-input]")!.GetAttribute("value")));
        Assert.Contains("changed by Alice just now", Setting(cut, "ApprovalLifetime").TextContent);
        Assert.Equal("audit?before=43", Setting(cut, "ApprovalLifetime").QuerySelector("[data-testid=setting-audit-link]")!.GetAttribute("href"));
        Assert.True(Setting(cut, "ApprovalLifetime").QuerySelector("[data-testid=setting-save]")!.HasAttribute("disabled"));
        Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => (s.Message ?? "").Contains("Approval lifetime is now 2d (audit entry #42)", StringComparison.Ordinal));
    }

    [Fact]
    public void The_two_person_rule_is_switched_off_and_saved()
    {
        var cut = RenderLoaded();

        Setting(cut, "TwoPersonRule").QuerySelector("[data-testid=setting-input]")!.Change(false);
        Assert.Contains("Off", Setting(cut, "TwoPersonRule").TextContent);
        Setting(cut, "TwoPersonRule").QuerySelector("[data-testid=setting-save]")!.Click();

        Assert.Equal([("TwoPersonRule", "false")], Settings.Updates);
        cut.WaitForAssertion(() => Assert.False(Setting(cut, "TwoPersonRule").QuerySelector("[data-testid=setting-input]")!.HasAttribute("checked")));
    }

    [Fact]
    public async Task A_refused_save_says_why_and_keeps_the_stored_value()
    {
        Settings.FailUpdates = "The audit log could not record 'settings.changed', so it was not done: disk I/O error";
        var cut = RenderLoaded();

        Setting(cut, "RequiredApprovals").QuerySelector("[data-testid=setting-input]")!.Input("2");
        Setting(cut, "RequiredApprovals").QuerySelector("[data-testid=setting-save]")!.Click();

        cut.WaitForAssertion(() => Assert.Contains("Not saved: The audit log could not record", Setting(cut, "RequiredApprovals").QuerySelector("[data-testid=setting-error]")!.TextContent));
        Assert.Contains("never changed", Setting(cut, "RequiredApprovals").TextContent);
        Assert.Equal("1", (await Settings.GetAllAsync(Xunit.TestContext.Current.CancellationToken)).Single(s => s.Name == "RequiredApprovals").Value);
    }

    [Fact]
    public void Verify_runs_and_shows_an_intact_log_with_its_checkpoint()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var checkpoint = AuditCheckpoint.Sign(120, new string('a', 64), SampleClusterNow.AddMinutes(-3), key);
        Audit.Verification = new AuditVerification
        {
            Status = AuditVerificationStatus.Intact,
            EntriesChecked = 123,
            HeadSequence = 123,
            Checkpoint = checkpoint,
            CheckpointSource = "configmap cni-dashboard/cni-dashboard-audit-checkpoint",
            TrustedKeyId = checkpoint.KeyId,
            VerifiedAt = SampleClusterNow,
            Duration = TimeSpan.FromMilliseconds(40),
        };
        var cut = RenderLoaded();
        Assert.Empty(cut.FindAll("[data-testid=verification-result]"));

        cut.Find("[data-testid=verify]").Click();

        var result = cut.WaitForElement("[data-testid=verification-result]");
        Assert.Equal(1, Audit.Verifications);
        Assert.Equal("Intact", result.GetAttribute("data-status"));
        Assert.Contains("Intact: every entry chains, and the signed checkpoint agrees", result.TextContent);
        Assert.Equal("123 (head #123) in 40 ms", cut.Find("[data-testid=verification-entries]").TextContent.Trim());
        Assert.Contains($"entry #120, signed 2026-11-20 09:27:00Z by key {checkpoint.KeyId}", cut.Find("[data-testid=verification-checkpoint]").TextContent);
        Assert.Contains("configmap cni-dashboard/cni-dashboard-audit-checkpoint", cut.Find("[data-testid=verification-checkpoint]").TextContent);
    }

    [Fact]
    public void A_tampered_log_names_the_first_bad_entry_and_links_to_it()
    {
        Audit.Verification = new AuditVerification
        {
            Status = AuditVerificationStatus.Tampered,
            FirstBadSequence = 57,
            Problem = "entry 57 was edited: its content no longer matches its hash",
            EntriesChecked = 57,
            HeadSequence = 56,
            VerifiedAt = SampleClusterNow,
        };
        var cut = RenderLoaded();

        cut.Find("[data-testid=verify]").Click();

        var result = cut.WaitForElement("[data-testid=verification-result]");
        Assert.Equal("Tampered", result.GetAttribute("data-status"));
        Assert.Equal("Tampered at entry 57", cut.Find("[data-testid=verification-headline]").TextContent);
        Assert.Contains("entry 57 was edited", cut.Find("[data-testid=verification-problem]").TextContent);
        Assert.Equal("audit?before=58", cut.Find("[data-testid=verification-first-bad]").GetAttribute("href"));
        Assert.Contains("none read", cut.Find("[data-testid=verification-checkpoint]").TextContent);
    }

    [Fact]
    public void A_verification_that_cannot_run_says_why_and_retries()
    {
        Audit.Fail(nameof(IAuditQueries.VerifyAsync), "The audit log could not record 'audit.verified'");
        var cut = RenderLoaded();

        cut.Find("[data-testid=verify]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Could not verify: The audit log could not record", cut.Find("[data-testid=query-error]").TextContent));

        Audit.Recover();
        cut.Find("[data-testid=retry]").Click();
        cut.WaitForElement("[data-testid=verification-result]");
    }

    private static readonly DateTimeOffset SampleClusterNow = Fakes.SampleCluster.Now;
}
