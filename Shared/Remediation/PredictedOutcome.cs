using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Remediation;

/// <summary>
/// What the analyzer would say about a node after its edits, worked out in memory: which findings go,
/// which appear, which stay, and whether the runtime's primary file or chain changes.
/// </summary>
public sealed record PredictedOutcome
{
    /// <summary>Findings the edits remove.</summary>
    public IReadOnlyList<PredictedFinding> Resolved { get; init; } = [];

    /// <summary>Findings the edits would bring (or make worse: a warning that becomes critical is listed here too).</summary>
    public IReadOnlyList<PredictedFinding> Introduced { get; init; } = [];

    /// <summary>Findings present before and after.</summary>
    public IReadOnlyList<PredictedFinding> Remaining { get; init; } = [];

    /// <summary>The file the runtime loads now.</summary>
    public string? PrimaryBefore { get; init; }

    /// <summary>The file the runtime would load after the edits.</summary>
    public string? PrimaryAfter { get; init; }

    /// <summary>Whether the node would have a working configuration after the edits.</summary>
    public PrimaryStatus PrimaryStatusAfter { get; init; }

    /// <summary>The primary chain now.</summary>
    public IReadOnlyList<string> ChainBefore { get; init; } = [];

    /// <summary>The primary chain after the edits.</summary>
    public IReadOnlyList<string> ChainAfter { get; init; } = [];

    /// <summary>True when the edits would add a critical finding (or make one critical): such a plan cannot be submitted.</summary>
    public bool AddsCritical => Introduced.Any(f => f.Severity == Severity.Critical);
}

/// <summary>A finding, as much of it as a review shows.</summary>
/// <param name="Rule">Rule id.</param>
/// <param name="Severity">Severity.</param>
/// <param name="File">File, when it is about one.</param>
/// <param name="Plugin">Plugin type, when it is about one.</param>
/// <param name="Message">What it says.</param>
public sealed record PredictedFinding(string Rule, Severity Severity, string? File, string? Plugin, string Message)
{
    /// <summary>The slim form of an analyzer finding.</summary>
    public static PredictedFinding Of(Finding finding) => new(finding.Rule, finding.Severity, finding.File, finding.Plugin, finding.Message);
}
