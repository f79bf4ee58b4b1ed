using CniDashboard.Server.Store;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Fleet;

/// <summary>What the dashboard knows about one node's files now: immutable, swapped whole on change.</summary>
public sealed record NodeRuntime
{
    /// <summary>Node name.</summary>
    public required string Name { get; init; }

    /// <summary>Whether the copy of the files is current.</summary>
    public AgentStatus Agent { get; init; } = new() { State = AgentState.Unknown };

    /// <summary>The latest stored snapshot with its content, or null when never polled.</summary>
    public SnapshotContent? Latest { get; init; }

    /// <summary>The primary chain of <see cref="Latest"/>, with where each plugin sits (parsed on first use, not on ingest).</summary>
    public IReadOnlyList<ChainPlugin> Chain => ChainSource.Value;

    /// <summary>Where <see cref="Chain"/> comes from.</summary>
    public Lazy<IReadOnlyList<ChainPlugin>> ChainSource { get; init; } = new(() => []);

    /// <summary>Open findings, worst first.</summary>
    public IReadOnlyList<Finding> Findings { get; init; } = [];

    /// <summary>When the files last changed.</summary>
    public DateTimeOffset? LastChangeAt => Latest?.Header.TakenAt;

    /// <summary>The manifest hash to send as If-None-Match.</summary>
    public string? ManifestHash => Latest?.Header.ManifestHash;

    /// <summary>The worst open finding.</summary>
    public Finding? Worst => Findings.Count == 0 ? null : Findings.MaxBy(f => f.Severity);
}

/// <summary>A plugin of a node's primary chain.</summary>
/// <param name="Index">0-based position.</param>
/// <param name="Type">Plugin type.</param>
/// <param name="Name">Plugin name.</param>
/// <param name="File">The primary file.</param>
/// <param name="JsonPointer">Where the plugin object is.</param>
public sealed record ChainPlugin(int Index, string Type, string? Name, string File, string JsonPointer)
{
    /// <summary>The primary's chain of a folder.</summary>
    public static IReadOnlyList<ChainPlugin> Of(IReadOnlyList<CniFolderFile> files)
    {
        var primary = CniFolder.Read(files).Primary;
        if (primary.FileName is null) return [];
        return primary.Chain.Select(p => new ChainPlugin(p.Index, p.Type, p.Name, primary.FileName, p.JsonPointer)).ToArray();
    }
}
