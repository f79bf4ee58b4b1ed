namespace CniDashboard.Shared.Diff;

/// <summary>A line diff of two texts laid out side by side: row i shows left line and right line together.</summary>
public sealed record SideBySideDiff
{
    /// <summary>The rows, top to bottom.</summary>
    public required IReadOnlyList<DiffRow> Rows { get; init; }

    /// <summary>True when the texts are equal.</summary>
    public bool Identical => Rows.All(r => r.Left?.Kind is null or DiffLineKind.Unchanged && r.Right?.Kind is null or DiffLineKind.Unchanged);

    /// <summary>Lines only on the right or changed there.</summary>
    public int Added => Rows.Count(r => r.Right?.Kind is DiffLineKind.Inserted or DiffLineKind.Modified);

    /// <summary>Lines only on the left or changed there.</summary>
    public int Removed => Rows.Count(r => r.Left?.Kind is DiffLineKind.Deleted or DiffLineKind.Modified);
}

/// <summary>One row of a side-by-side diff; a side is null where the other side has a line the first lacks.</summary>
/// <param name="Left">The left line, or null (padding).</param>
/// <param name="Right">The right line, or null (padding).</param>
public sealed record DiffRow(DiffLine? Left, DiffLine? Right);

/// <summary>One line of one side.</summary>
/// <param name="Number">1-based line number in its text.</param>
/// <param name="Text">The line without its line break.</param>
/// <param name="Kind">How the line relates to the other side.</param>
/// <param name="Pieces">For a modified line, its words/characters marked changed or not, for inline highlights; empty otherwise.</param>
public sealed record DiffLine(int Number, string Text, DiffLineKind Kind, IReadOnlyList<DiffPiece> Pieces);

/// <summary>A run of text within a modified line.</summary>
/// <param name="Text">The run.</param>
/// <param name="Changed">True when it differs from the other side.</param>
public sealed record DiffPiece(string Text, bool Changed);

/// <summary>How a line relates to the other side.</summary>
public enum DiffLineKind
{
    /// <summary>Same on both sides.</summary>
    Unchanged,
    /// <summary>Only on the right.</summary>
    Inserted,
    /// <summary>Only on the left.</summary>
    Deleted,
    /// <summary>On both sides, changed.</summary>
    Modified,
}

/// <summary>One meaningful difference between two network configurations.</summary>
public sealed record ChainChange
{
    /// <summary>What changed.</summary>
    public required ChainChangeKind Kind { get; init; }

    /// <summary>The plugin type concerned, when a plugin is.</summary>
    public string? PluginType { get; init; }

    /// <summary>0-based position of the plugin (in the right chain for additions/moves, the left for removals).</summary>
    public int? Position { get; init; }

    /// <summary>RFC 6901 pointer of the changed setting, for settings changes.</summary>
    public string? JsonPointer { get; init; }

    /// <summary>The old value, as JSON text.</summary>
    public string? Before { get; init; }

    /// <summary>The new value, as JSON text.</summary>
    public string? After { get; init; }

    /// <summary>The change in words, e.g. <c>linkerd-cni removed at position 5</c>, <c>cniVersion 0.4.0 → 1.0.0</c>.</summary>
    public required string Message { get; init; }
}

/// <summary>Kinds of chain change.</summary>
public enum ChainChangeKind
{
    /// <summary>A plugin is in the right chain only.</summary>
    PluginAdded,
    /// <summary>A plugin is in the left chain only.</summary>
    PluginRemoved,
    /// <summary>A plugin moved within the chain.</summary>
    PluginMoved,
    /// <summary>A setting of a plugin differs.</summary>
    PluginSettingChanged,
    /// <summary><c>cniVersion</c> differs.</summary>
    CniVersionChanged,
    /// <summary>The network <c>name</c> differs.</summary>
    NameChanged,
    /// <summary><c>disableCheck</c> differs.</summary>
    DisableCheckChanged,
    /// <summary>One side does not load at all.</summary>
    LoadabilityChanged,
}
