using CniDashboard.Client.Model;
using CniDashboard.Shared.Remediation;
using Microsoft.AspNetCore.Components;

namespace CniDashboard.Client.Components.Remediation;

/// <summary>The approver's form on a plan.</summary>
public partial class ApproverPanel
{
    private ApprovalDraft? _draft;
    private string? _draftFor;

    /// <summary>The plan.</summary>
    [Parameter, EditorRequired]
    public RemediationPlan Plan { get; set; } = null!;

    /// <summary>The time now (approvals that still count, the standing approval's default end).</summary>
    [Parameter, EditorRequired]
    public DateTimeOffset Now { get; set; }

    /// <summary>True while a call runs.</summary>
    [Parameter]
    public bool Busy { get; set; }

    /// <summary>Called to approve: the plan's hash, the comment, the risks acknowledged, the standing approval.</summary>
    [Parameter]
    public EventCallback<ApprovalRequest> OnApprove { get; set; }

    /// <summary>Called to reject, with the comment.</summary>
    [Parameter]
    public EventCallback<string> OnReject { get; set; }

    /// <inheritdoc />
    protected override void OnParametersSet()
    {
        // A changed plan (another hash) needs a fresh form: acknowledgements were given to what was shown.
        var hash = Plan.Sha256();
        if (_draftFor != hash)
        {
            _draftFor = hash;
            _draft = new ApprovalDraft(Plan.Risks, Now.AddHours(4));
        }
    }

    private ApprovalDraft Draft => _draft!;

    private Task ApproveAsync() =>
        OnApprove.InvokeAsync(new ApprovalRequest(_draftFor!, Draft.CommentOrNull, [.. Draft.Acknowledged], Draft.Grant()));

    private Task RejectAsync() => OnReject.InvokeAsync(Draft.CommentOrNull ?? "");
}

/// <summary>What an approver sends.</summary>
/// <param name="PlanSha256">The hash of the plan as shown.</param>
/// <param name="Comment">The comment.</param>
/// <param name="AcknowledgedRisks">Risk note ids ticked.</param>
/// <param name="Standing">The standing approval, when granted.</param>
public sealed record ApprovalRequest(string PlanSha256, string? Comment, IReadOnlyList<string> AcknowledgedRisks, StandingGrant? Standing);
