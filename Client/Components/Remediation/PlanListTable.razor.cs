using CniDashboard.Shared.Remediation;
using Microsoft.AspNetCore.Components;

namespace CniDashboard.Client.Components.Remediation;

/// <summary>Plans in a table, newest first: state (and why paused), what they fix, progress, author, last update.</summary>
public partial class PlanListTable
{
    /// <summary>The plans to list.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<PlanSummary> Plans { get; set; } = [];

    /// <summary>
    /// True when each plan's id links to its page; false for another cluster's plans, whose pages
    /// (and controls) are that cluster's own collector's to serve.
    /// </summary>
    [Parameter]
    public bool LinkPlans { get; set; } = true;

    /// <summary>The clock, for "3 min ago".</summary>
    [Inject]
    public required TimeProvider Clock { get; init; }

    private DateTimeOffset Now => Clock.GetUtcNow();
}
