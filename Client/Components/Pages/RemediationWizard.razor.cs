using CniDashboard.Client.Model;
using CniDashboard.Shared.Remediation;
using Microsoft.AspNetCore.Components;

namespace CniDashboard.Client.Components.Pages;

/// <summary>
/// The remediation wizard: problem → nodes and order → options → review → submit. The review is the
/// service's proposal for the plan as it stands (predicted findings, diffs, risks); submitting creates
/// the plan and submits it for approval, then opens its page.
/// </summary>
public partial class RemediationWizard : IDisposable
{
    private const int ReviewStep = 3;
    private const int OptionsStep = 2;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Loadable<PlanProposal> _proposal = new();
    private readonly Loadable<PlanProposal> _review = new();
    private PlanWizardState? _state;
    private int _step;
    private string? _comment;
    private bool _submitting;
    private CommandError? _error;
    private string? _draftId;

    /// <summary>Remediation.</summary>
    [Inject]
    public required IRemediationService Remediation { get; init; }

    /// <summary>Navigation, to the plan once submitted.</summary>
    [Inject]
    public required NavigationManager Navigation { get; init; }

    /// <summary>The rule to fix (<c>?rule=</c>).</summary>
    [SupplyParameterFromQuery(Name = "rule")]
    public string? Rule { get; set; }

    /// <summary>Only the findings of this plugin (<c>?plugin=</c>).</summary>
    [SupplyParameterFromQuery(Name = "plugin")]
    public string? Plugin { get; set; }

    /// <summary>Comma-separated nodes (<c>?nodes=</c>); none for every node that shows the finding.</summary>
    [SupplyParameterFromQuery(Name = "nodes")]
    public string? Nodes { get; set; }

    private bool CanGoOn => _state is not null && _state.Order.Count > 0 && (_step != OptionsStep || _state.OptionProblems().Count == 0);

    private bool CanSubmit => !_submitting && !_review.IsLoading && _review.Value is { AddsCritical: false, Nodes.Count: > 0 } && _review.Error is null;

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        if (string.IsNullOrWhiteSpace(Rule))
        {
            _state = null;
            return;
        }

        if (_state is null || _state.Rule != Rule.Trim() || _state.Plugin != (string.IsNullOrWhiteSpace(Plugin) ? null : Plugin.Trim()))
        {
            _state = new PlanWizardState(Rule.Trim(), Plugin, Nodes);
            _step = 0;
            await ProposeAsync();
        }
    }

    private async Task ProposeAsync()
    {
        var state = _state!;
        if (await _proposal.LoadAsync(ct => Remediation.ProposeAsync(state.FirstRequest(), ct), "a plan for this finding", _lifetime.Token))
        {
            state.Start(_proposal.Value!);
        }
    }

    private async Task GoToAsync(int step)
    {
        _error = null;
        _step = Math.Clamp(step, 0, ReviewStep);
        if (_step == ReviewStep)
        {
            await ReviewAsync();
        }
    }

    private Task ReviewAsync()
    {
        var request = _state!.Request();
        return _review.LoadAsync(ct => Remediation.ProposeAsync(request, ct), "the review", _lifetime.Token);
    }

    private async Task SubmitAsync()
    {
        if (!CanSubmit)
        {
            return;
        }

        _submitting = true;
        _error = null;
        try
        {
            var request = _state!.Request();
            var (draft, createError) = await CommandError.RunAsync("create the plan", () => Remediation.CreateAsync(request, _lifetime.Token), _lifetime.Token);
            if (draft is null)
            {
                _error = createError;
                return;
            }

            _draftId = draft.Id;
            var comment = string.IsNullOrWhiteSpace(_comment) ? null : _comment.Trim();
            var (submitted, submitError) = await CommandError.RunAsync("submit the plan", () => Remediation.SubmitAsync(draft.Id, draft.Version, comment, _lifetime.Token), _lifetime.Token);
            if (submitted is null)
            {
                _error = submitError;
                return;
            }

            Navigation.NavigateTo(Links.Plan(submitted.Id));
        }
        finally
        {
            _submitting = false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Cancelled, not disposed: a query still unwinding may read its token.
        _lifetime.Cancel();
        GC.SuppressFinalize(this);
    }
}
