using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Analysis;

/// <summary>What the analyzer concluded about one node's folder (also the JSON of <c>analyze --format json</c>).</summary>
public sealed record AnalysisReport
{
    /// <summary>The file the runtime loads, or null.</summary>
    public string? Primary { get; init; }

    /// <summary>Whether the node has a working configuration.</summary>
    public PrimaryStatus PrimaryStatus { get; init; }

    /// <summary>Plugin types of the primary chain in ADD order.</summary>
    public IReadOnlyList<string> Chain { get; init; } = [];

    /// <summary>Every folder entry and what the runtime makes of it.</summary>
    public IReadOnlyList<AnalyzedFile> Files { get; init; } = [];

    /// <summary>Findings, worst first.</summary>
    public IReadOnlyList<Finding> Findings { get; init; } = [];

    /// <summary>The worst severity among the findings, or null when there are none.</summary>
    public Severity? Worst => Findings.Count == 0 ? null : Findings.Max(f => f.Severity);
}

/// <summary>A folder entry as the analyzer sees it.</summary>
public sealed record AnalyzedFile
{
    /// <summary>Name.</summary>
    public required string Name { get; init; }
    /// <summary>Kind.</summary>
    public CniFileKind Kind { get; init; }
    /// <summary>Size in bytes.</summary>
    public long Size { get; init; }
    /// <summary>SHA-256.</summary>
    public string? Sha256 { get; init; }
    /// <summary>True for the file the runtime loads.</summary>
    public bool Primary { get; init; }
    /// <summary>For config files: true when it loads.</summary>
    public bool? Valid { get; init; }
    /// <summary>Why a config does not load.</summary>
    public string? Error { get; init; }
    /// <summary>Why the runtime skips the entry, for ignored entries.</summary>
    public string? Ignored { get; init; }
}
