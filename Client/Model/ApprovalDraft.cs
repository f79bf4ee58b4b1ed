using System.Globalization;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Client.Model;

/// <summary>
/// An approver's form: a comment, each risk note acknowledged, and optionally a standing approval
/// (up to K more nodes until T, typed in UTC). Pure: the panel renders it and sends what it gives.
/// </summary>
public sealed class ApprovalDraft
{
    private readonly HashSet<string> _acknowledged = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<RiskNote> _risks;

    /// <summary>A form for a plan with these risks; the standing approval, when asked for, defaults to until <paramref name="defaultUntil"/>.</summary>
    public ApprovalDraft(IReadOnlyList<RiskNote> risks, DateTimeOffset defaultUntil)
    {
        _risks = risks;
        StandingUntil = AuditFilter.InputTime(defaultUntil) ?? "";
    }

    /// <summary>The comment.</summary>
    public string Comment { get; set; } = "";

    /// <summary>True to grant a standing approval with the approval.</summary>
    public bool Standing { get; set; }

    /// <summary>K, as typed.</summary>
    public string StandingNodes { get; set; } = "10";

    /// <summary>T, as typed (<c>yyyy-MM-ddTHH:mm</c>, UTC).</summary>
    public string StandingUntil { get; set; }

    /// <summary>The risk notes acknowledged.</summary>
    public IReadOnlyCollection<string> Acknowledged => _acknowledged;

    /// <summary>Ticks or unticks a risk note.</summary>
    public void Acknowledge(string riskId, bool on)
    {
        if (on) _acknowledged.Add(riskId);
        else _acknowledged.Remove(riskId);
    }

    /// <summary>True when the note is ticked.</summary>
    public bool IsAcknowledged(string riskId) => _acknowledged.Contains(riskId);

    /// <summary>Why the approval cannot be sent yet; empty when it can.</summary>
    public IReadOnlyList<string> Problems(DateTimeOffset now)
    {
        var problems = new List<string>();
        var missing = _risks.Count(r => !_acknowledged.Contains(r.Id));
        if (missing > 0) problems.Add(missing == 1 ? "acknowledge the risk note" : $"acknowledge all {_risks.Count} risk notes ({missing} left)");
        if (Standing)
        {
            if (!int.TryParse(StandingNodes, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1)
                problems.Add("a standing approval needs at least 1 more node");
            if (AuditFilter.ParseTime(StandingUntil) is not { } until)
                problems.Add("a standing approval needs an end time");
            else if (until <= now)
                problems.Add("a standing approval must end in the future");
        }

        return problems;
    }

    /// <summary>The standing approval asked for, or null.</summary>
    public StandingGrant? Grant() =>
        Standing
        && int.TryParse(StandingNodes, NumberStyles.None, CultureInfo.InvariantCulture, out var k)
        && AuditFilter.ParseTime(StandingUntil) is { } until
            ? new StandingGrant(k, until)
            : null;

    /// <summary>The comment, or null when empty.</summary>
    public string? CommentOrNull => string.IsNullOrWhiteSpace(Comment) ? null : Comment.Trim();
}
