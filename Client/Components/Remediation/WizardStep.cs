using CniDashboard.Client.Model;
using Microsoft.AspNetCore.Components;

namespace CniDashboard.Client.Components.Remediation;

/// <summary>A wizard step that edits the wizard's state and tells the wizard, so its buttons follow.</summary>
public abstract class WizardStep : ComponentBase
{
    /// <summary>The wizard's state (changed here; the wizard re-renders through <see cref="OnChanged"/>).</summary>
    [Parameter, EditorRequired]
    public PlanWizardState State { get; set; } = null!;

    /// <summary>Called after each change.</summary>
    [Parameter]
    public EventCallback OnChanged { get; set; }

    /// <summary>Makes a change and tells the wizard.</summary>
    protected Task ChangeAsync(Action change)
    {
        ArgumentNullException.ThrowIfNull(change);
        change();
        return OnChanged.InvokeAsync();
    }
}
