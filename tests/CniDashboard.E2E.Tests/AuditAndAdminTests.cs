using System.Text.Json;
using System.Text.RegularExpressions;
using CniDashboard.E2E.Tests.Support;
using CniDashboard.Shared.Audit;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CniDashboard.E2E.Tests;

/// <summary>
/// An Admin changes a setting and checks the audit log's integrity; an auditor filters the log and
/// downloads it with the signed checkpoint; the entries name the signed-in person.
/// </summary>
[Collection(Phase.Administration)]
public sealed partial class AuditAndAdminTests(DemoDashboard dashboard)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_admin_changes_a_setting_and_verification_finds_the_log_intact_against_the_checkpoint()
    {
        await using var browser = await dashboard.OpenAsync("/admin", "admin");
        var page = browser.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Administration", Level = 1 })).ToBeVisibleAsync();
        var approvals = page.Locator("[data-testid=setting][data-name=RequiredApprovals]");

        await approvals.GetByLabel("Required approvals").FillAsync("0");
        await Expect(approvals.GetByTestId("setting-problem")).ToContainTextAsync("a whole number from 1 to 10");
        await Expect(approvals.GetByTestId("setting-save")).ToBeDisabledAsync();
        await approvals.GetByLabel("Required approvals").FillAsync("2");
        await approvals.GetByTestId("setting-save").ClickAsync();

        var auditLink = approvals.GetByTestId("setting-audit-link");
        await Expect(auditLink).ToBeVisibleAsync();
        await Expect(approvals.GetByTestId("setting-meta")).ToContainTextAsync("changed by Ada Admin");
        var sequence = long.Parse((await auditLink.TextContentAsync())!.Split('#')[1], System.Globalization.CultureInfo.InvariantCulture);

        // The dashboard checkpoints every 10 s here; verify once the checkpoint covers the change.
        await Eventually.WaitAsync(async () =>
            (await dashboard.GetJsonAsync<CheckpointReply>("api/v1/audit/checkpoint", Ct))?.Checkpoint?.Sequence >= sequence,
            "a checkpoint covering the settings change", TimeSpan.FromSeconds(40), Ct);
        await page.GetByTestId("verify").ClickAsync();

        var result = page.GetByTestId("verification-result");
        await Expect(result).ToHaveAttributeAsync("data-status", "Intact");
        await Expect(page.GetByTestId("verification-headline")).ToHaveTextAsync("Intact: every entry chains, and the signed checkpoint agrees");
        await Expect(page.GetByTestId("verification-checkpoint")).ToContainTextAsync("configmap cni-dashboard/cni-dashboard-audit-checkpoint");
        await browser.ScreenshotAsync("admin");
        browser.AssertNoScriptErrors();

        // The change is in the log, old to new, and the verification is recorded too.
        await auditLink.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"audit\\?before={sequence + 1}$"));
        var entry = page.Locator($"[data-testid=audit-entry][data-sequence='{sequence}']");
        await Expect(entry).ToContainTextAsync("settings.changed");
        await Expect(entry).ToContainTextAsync("setting RequiredApprovals");
        await page.GotoAsync("/audit?action=audit.verified");
        await Expect(page.GetByTestId("audit-entry").First).ToContainTextAsync("audit.verified");
    }

    [Fact]
    public async Task The_audit_log_is_filtered_in_the_url_its_details_read_and_exported_with_the_checkpoint()
    {
        using var admin = await dashboard.ApiAsAsync("admin", Ct);
        foreach (var value in new[] { "false", "true" })
        {
            using var put = await admin.PutAsJsonAsync("api/v1/settings/TwoPersonRule", new { value }, Ct);
            put.EnsureSuccessStatusCode();
        }
        // A viewer may read the setting but not change it.
        using (var refused = await dashboard.Api.PutAsJsonAsync("api/v1/settings/TwoPersonRule", new { value = "false" }, Ct))
        {
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        }
        var last = (await dashboard.GetJsonAsync<AuditPage>("api/v1/audit?action=settings.changed&limit=1", Ct))!.Entries[0].Sequence;
        // Export once a checkpoint covers both changes (the dashboard checkpoints every 10 s here).
        await Eventually.WaitAsync(async () =>
            (await dashboard.GetJsonAsync<CheckpointReply>("api/v1/audit/checkpoint", Ct))?.Checkpoint?.Sequence >= last,
            "a checkpoint covering the settings changes", TimeSpan.FromSeconds(40), Ct);

        await using var browser = await dashboard.OpenAsync("/audit");
        var page = browser.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Audit log", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("audit-entry").First).ToBeVisibleAsync();

        await page.GetByLabel("Action").SelectOptionAsync("settings.changed");
        await Expect(page).ToHaveURLAsync(new Regex("audit\\?action=settings\\.changed$"));
        await page.GetByLabel("Target", new() { Exact = true }).FillAsync("TwoPersonRule");
        await page.GetByLabel("Target", new() { Exact = true }).PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex("audit\\?action=settings\\.changed&target=TwoPersonRule$"));
        var rows = page.GetByTestId("audit-entry");
        await Expect(rows).ToHaveCountAsync(2);
        foreach (var row in await rows.AllAsync()) await Expect(row).ToContainTextAsync("settings.changed");

        // The newest change: true again, from false.
        await rows.First.GetByTestId("toggle-details").ClickAsync();
        var details = page.GetByTestId("audit-details-json");
        await Expect(details).ToContainTextAsync("\"new\": \"true\"");
        await Expect(details).ToContainTextAsync("\"old\": \"false\"");
        await browser.ScreenshotAsync("audit-log");

        // A link to this view shows the same.
        await using (var shared = await dashboard.OpenAsync(new Uri(page.Url).PathAndQuery))
        {
            await Expect(shared.Page.GetByTestId("audit-entry")).ToHaveCountAsync(2);
        }

        var csvDownload = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-csv").ClickAsync());
        var csv = await File.ReadAllTextAsync((await csvDownload.PathAsync())!, Ct);
        var jsonDownload = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-json").ClickAsync());
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync((await jsonDownload.PathAsync())!, Ct));

        Assert.Matches(CsvName(), csvDownload.SuggestedFilename);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("# filter: action=settings.changed&target=TwoPersonRule", lines[1]);
        Assert.StartsWith("# checkpoint: {\"algorithm\":\"ECDSA-P256-SHA256\"", lines[2], StringComparison.Ordinal);
        Assert.Equal(2, lines.Count(l => l.Contains(",settings.changed,setting,TwoPersonRule,ok,", StringComparison.Ordinal)));
        var root = json.RootElement;
        var checkpoint = AuditCheckpoint.Parse(root.GetProperty("checkpoint").GetRawText());
        Assert.Equal(2, root.GetProperty("entries").GetArrayLength());
        Assert.Equal(root.GetProperty("keyId").GetString(), checkpoint.KeyId);
        Assert.All(root.GetProperty("entries").EnumerateArray(), e => Assert.Equal("TwoPersonRule", e.GetProperty("targetName").GetString()));
        browser.AssertNoScriptErrors();
    }

    [GeneratedRegex(@"^cni-dashboard-audit-\d{8}-\d{6}\.csv$")]
    private static partial Regex CsvName();

    private sealed record CheckpointReply(AuditCheckpoint? Checkpoint);
}
