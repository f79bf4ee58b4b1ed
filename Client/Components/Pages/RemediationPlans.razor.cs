using CniDashboard.Client.Model;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Remediation;
using Microsoft.AspNetCore.Components;

namespace CniDashboard.Client.Components.Pages;

/// <summary>The remediation plans, newest first, with state, progress and why a plan is paused; live.</summary>
public partial class RemediationPlans
{
    private readonly Loadable<IReadOnlyList<PlanSummary>> _plans = new();

    /// <summary>Remediation.</summary>
    [Inject]
    public required IRemediationService Remediation { get; init; }

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        StartLiveUpdates();
        await LoadAsync();
    }

    /// <inheritdoc />
    protected override async Task OnChangesAsync(IReadOnlyList<ClusterChange> batch)
    {
        if (ChangeBatch.TouchesPlans(batch))
        {
            await LoadAsync();
        }
    }

    private Task LoadAsync() => _plans.LoadAsync(ct => Remediation.ListAsync(new PlanListQuery(), ct), "the plans", Lifetime);
}
