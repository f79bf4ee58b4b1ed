using CniDashboard.Server.Remediation;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Server.Tests.Remediation;

/// <summary>The engine's settings are checked at start; the webhook's bodies say what happened and nothing secret.</summary>
public sealed class RemediationOptionsTests
{
    [Fact]
    public void Engine_settings_it_cannot_run_with_are_refused_with_their_names()
    {
        var validator = new RemediationEngineOptionsValidator();
        Assert.True(validator.Validate(null, new RemediationEngineOptions()).Succeeded);
        var bad = validator.Validate(null, new RemediationEngineOptions
        {
            Namespace = "Not_A_Namespace",
            LeaseDuration = TimeSpan.FromSeconds(1),
            ObserveInterval = TimeSpan.FromSeconds(20),
            WebhookUrl = new Uri("ftp://hooks.example/x"),
            WebhookFormat = "xml",
        });
        Assert.False(bad.Succeeded);
        foreach (var key in new[] { "Namespace", "LeaseDuration", "ObserveInterval", "WebhookUrl", "WebhookFormat" })
            Assert.Contains(bad.Failures!, f => f.Contains("Dashboard:Remediation:" + key, StringComparison.Ordinal));
    }

    [Fact]
    public void The_webhook_posts_submitted_approved_paused_and_finished_as_json_or_slack_text()
    {
        var now = DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var edit = new PlannedEdit { File = "05-cilium.conflist", Kind = FileEditKind.Replace, ExpectedSha256 = new string('a', 64), OldContent = "{\"token\":\"x\"}", NewContent = "{}", NewSha256 = PlannedEdit.Sha256Of("{}"), Summary = "remove linkerd-cni" };
        var proposal = new PlanProposal { Rule = "mesh-token-pod-gone", Plugin = "linkerd-cni", Nodes = [new NodeRemediation { Node = "node-a", Edits = [edit] }] };
        var draft = RemediationPlan.CreateDraft("rp-1", "operator", now, proposal);
        var submitted = draft.Submit("operator", "please", new ApprovalPolicy(), now);

        Assert.Null(PlanWebhook.Milestone(draft.LastEvent!));
        Assert.Equal("submitted", PlanWebhook.Milestone(submitted.LastEvent!));
        var json = PlanWebhook.Body(submitted, "submitted", "json");
        Assert.Equal(("submitted", "rp-1", "remediation.plan.submitted", "operator"), ((string)json["event"]!, (string)json["plan"]!, (string)json["action"]!, (string)json["actor"]!));
        var slack = PlanWebhook.Body(submitted, "submitted", "slack");
        Assert.Equal(["text"], slack.Select(p => p.Key));
        Assert.Contains("plan rp-1 (mesh-token-pod-gone, 1 node(s)) submitted", (string)slack["text"]!, StringComparison.Ordinal);
        Assert.DoesNotContain("token", json.ToJsonString().Replace("mesh-token-pod-gone", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
