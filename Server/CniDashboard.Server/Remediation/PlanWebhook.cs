using System.Text.Json.Nodes;
using CniDashboard.Shared.Remediation;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Remediation;

/// <summary>
/// Posts a plan's milestones — submitted, approved, paused (a failed step too), finished (completed,
/// aborted, rolled back, rejected, expired) — to <see cref="RemediationEngineOptions.WebhookUrl"/>, as
/// JSON or in Slack's <c>{"text": …}</c> shape. Best effort: a failed post is logged, never retried
/// into the plan's way. Carries ids, states and sentences only: no file content, no token.
/// </summary>
public sealed class PlanWebhook(PlanLedger ledger, IOptions<RemediationEngineOptions> options, ILogger<PlanWebhook> logger) : IHostedService, IDisposable
{
    private readonly RemediationEngineOptions _options = options.Value;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The milestone a plan event is, or null when it is none.</summary>
    public static string? Milestone(PlanEvent e) => e?.Action switch
    {
        PlanActions.Submitted => "submitted",
        PlanActions.Approved => "approved",
        PlanActions.Paused or PlanActions.StepFailed => "paused",
        PlanActions.Completed or PlanActions.Aborted or PlanActions.RolledBack or PlanActions.Rejected or PlanActions.Expired => "finished",
        _ => null,
    };

    /// <summary>The body posted for <paramref name="plan"/>'s last event.</summary>
    public static JsonObject Body(RemediationPlan plan, string milestone, string format)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var e = plan.LastEvent!;
        var sentence = $"CNI Dashboard plan {plan.Id} ({plan.Rule}, {plan.Nodes.Count} node(s)) {milestone}: {e.State}"
            + (e.Node is null ? "" : $" at node {e.Node}") + (e.Detail is null ? "" : $" — {e.Detail}") + $" (by {e.Actor})";
        if (format == "slack") return new JsonObject { ["text"] = sentence };
        return new JsonObject
        {
            ["event"] = milestone,
            ["plan"] = plan.Id,
            ["rule"] = plan.Rule,
            ["state"] = e.State.ToString(),
            ["action"] = PlanAuditRecord.ActionOf(e.Action),
            ["actor"] = e.Actor,
            ["node"] = e.Node,
            ["detail"] = e.Detail,
            ["at"] = e.At,
            ["nodes"] = plan.Nodes.Count,
            ["nodesFixed"] = plan.Nodes.Count(n => n.Status == NodeStatus.Fixed),
            ["text"] = sentence,
        };
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.WebhookUrl is not null) ledger.Committed += OnCommitted;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        ledger.Committed -= OnCommitted;
        return Task.CompletedTask;
    }

    private void OnCommitted(RemediationPlan plan)
    {
        if (plan.LastEvent is not { } e || Milestone(e) is not { } milestone) return;
        _ = PostAsync(Body(plan, milestone, _options.WebhookFormat));
    }

    private async Task PostAsync(JsonObject body)
    {
        try
        {
            using var response = await _http.PostAsJsonAsync(_options.WebhookUrl, body);
            if (!response.IsSuccessStatusCode) logger.LogWarning("Plan webhook answered {Status}", (int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            logger.LogWarning("Plan webhook failed: {Error}", ex.Message);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
