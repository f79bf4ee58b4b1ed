using CniDashboard.Client.Components.Remediation;
using CniDashboard.Client.Model;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Remediation;
using Microsoft.AspNetCore.Components;

namespace CniDashboard.Client.Components.Pages;

/// <summary>
/// One remediation plan: its state and approvals, each node's steps and diffs, the step log, the
/// approver's form and the operator's controls. Follows the change feed: a change to this plan re-reads it.
/// </summary>
public partial class RemediationPlanPage
{
    private readonly Loadable<RemediationPlan?> _plan = new();
    private readonly Loadable<IReadOnlyList<PlanLogEntry>> _log = new();
    private PlanCommand? _pending;
    private CommandError? _error;
    private bool _busy;
    private string? _loadedId;

    /// <summary>Remediation.</summary>
    [Inject]
    public required IRemediationService Remediation { get; init; }

    /// <summary>The clock.</summary>
    [Inject]
    public required TimeProvider Clock { get; init; }

    /// <summary>The plan's id.</summary>
    [Parameter]
    public string Id { get; set; } = "";

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        StartLiveUpdates();
        if (_loadedId != Id)
        {
            _loadedId = Id;
            _pending = null;
            _error = null;
            await LoadAsync();
        }
    }

    /// <inheritdoc />
    protected override async Task OnChangesAsync(IReadOnlyList<ClusterChange> batch)
    {
        if (ChangeBatch.IsResync(batch) || batch.Any(c => c.Kind == ClusterChangeKind.PlanChanged && string.Equals(c.Plan, Id, StringComparison.Ordinal)))
        {
            await LoadAsync();
        }
    }

    private Task LoadAsync() => Task.WhenAll(
        _plan.LoadAsync(ct => Remediation.GetAsync(Id, ct), $"plan {Id}", Lifetime),
        LoadLogAsync());

    private Task LoadLogAsync() => _log.LoadAsync(ct => Remediation.GetLogAsync(Id, ct), $"the step log of plan {Id}", Lifetime);

    private void Ask(PlanCommand command)
    {
        _error = null;
        _pending = command;
    }

    private async Task RunAsync(string? text)
    {
        if (_pending is not { } command)
        {
            return;
        }

        await CallAsync(command.Label.ToLowerInvariant() + (command.Node is null ? $" plan {Id}" : $" {command.Node}"), () => command.Run(Remediation, text, Lifetime));
        if (_error is null)
        {
            _pending = null;
        }
    }

    private Task ApproveAsync(ApprovalRequest request) =>
        CallAsync($"approve plan {Id}", () => Remediation.ApproveAsync(Id, request.PlanSha256, request.Comment, request.AcknowledgedRisks, request.Standing, Lifetime));

    private Task RejectAsync(string comment) =>
        CallAsync($"reject plan {Id}", () => Remediation.RejectAsync(Id, comment, Lifetime));

    /// <summary>Runs a command; its answer is the plan's new version, a refusal is shown, a conflict re-reads the plan.</summary>
    private async Task CallAsync(string what, Func<Task<RemediationPlan>> command)
    {
        _busy = true;
        _error = null;
        try
        {
            var (plan, error) = await CommandError.RunAsync(what, command, Lifetime);
            if (plan is not null)
            {
                await Task.WhenAll(_plan.LoadAsync(_ => Task.FromResult<RemediationPlan?>(plan), $"plan {Id}", Lifetime), LoadLogAsync());
                return;
            }

            _error = error;
            if (error!.Reload)
            {
                _pending = null;
                await LoadAsync();
            }
        }
        finally
        {
            _busy = false;
        }
    }
}
