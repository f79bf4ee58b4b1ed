namespace CniDashboard.Shared.Analysis;

/// <summary>How bad a finding is.</summary>
public enum Severity
{
    /// <summary>Worth knowing; nothing is broken.</summary>
    Info = 0,
    /// <summary>Will break, breaks some pods, or hides a problem.</summary>
    Warning = 1,
    /// <summary>Pods on the node cannot get a network now.</summary>
    Critical = 2,
}

/// <summary>One thing wrong with a node's CNI configuration, said so a platform engineer can act on it.</summary>
public sealed record Finding
{
    /// <summary>Stable rule id, e.g. <c>mesh-token-pod-gone</c>.</summary>
    public required string Rule { get; init; }

    /// <summary>How bad it is.</summary>
    public required Severity Severity { get; init; }

    /// <summary>The file the finding is about, when it is about one.</summary>
    public string? File { get; init; }

    /// <summary>The plugin type the finding is about, when it is about one.</summary>
    public string? Plugin { get; init; }

    /// <summary>RFC 6901 pointer into <see cref="File"/>, e.g. <c>/plugins/4</c>.</summary>
    public string? JsonPointer { get; init; }

    /// <summary>One line: what is wrong.</summary>
    public required string Message { get; init; }

    /// <summary>Why it matters and how it came about.</summary>
    public required string Explanation { get; init; }

    /// <summary>What to do about it.</summary>
    public required string Remediation { get; init; }

    /// <summary>The facts that led to the finding (file lines, pods, events), for display.</summary>
    public IReadOnlyList<string> Evidence { get; init; } = [];

    /// <summary>A mechanical fix, when there is one.</summary>
    public FileEdit? Edit { get; init; }

    /// <summary>Identity of the finding on a node across snapshots: same key, same finding.</summary>
    public string Key => $"{Rule}|{File}|{Plugin}|{JsonPointer}";
}

/// <summary>A machine-applicable change to one file of the node's CNI folder.</summary>
public sealed record FileEdit
{
    /// <summary>Replace the file's content, or delete the file.</summary>
    public required FileEditKind Kind { get; init; }

    /// <summary>The file to change.</summary>
    public required string File { get; init; }

    /// <summary>SHA-256 of the content the edit was computed from; apply only if the file still has it.</summary>
    public string? ExpectedSha256 { get; init; }

    /// <summary>The new content for <see cref="FileEditKind.Replace"/>; every byte outside the change is as before.</summary>
    public string? NewContent { get; init; }

    /// <summary>What the edit does, in a line.</summary>
    public required string Summary { get; init; }
}

/// <summary>What a <see cref="FileEdit"/> does to its file.</summary>
public enum FileEditKind
{
    /// <summary>Write <see cref="FileEdit.NewContent"/>.</summary>
    Replace,
    /// <summary>Remove the file.</summary>
    Delete,
}
