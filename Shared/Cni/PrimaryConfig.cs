namespace CniDashboard.Shared.Cni;

/// <summary>The configuration the runtime uses on a node, and how it got there.</summary>
public sealed record PrimaryConfig
{
    /// <summary>The file the runtime picks: the first candidate in byte order, or null when there is none.</summary>
    public string? FileName { get; init; }

    /// <summary>Whether the node has a working configuration.</summary>
    public required PrimaryStatus Status { get; init; }

    /// <summary>The loaded configuration when <see cref="Status"/> is <see cref="PrimaryStatus.Loaded"/>.</summary>
    public NetworkConfigList? Config { get; init; }

    /// <summary>Why the first candidate fails to load (the runtime does not fall through to the next file).</summary>
    public ConfigLoadError? Error { get; init; }

    /// <summary>Every name the runtime considers, in the order it tries them.</summary>
    public IReadOnlyList<string> Candidates { get; init; } = [];

    /// <summary>Names the runtime skips, with the reason.</summary>
    public IReadOnlyList<IgnoredEntry> Ignored { get; init; } = [];

    /// <summary>The plugins the runtime runs on ADD, in order; empty when nothing loads.</summary>
    public IReadOnlyList<PluginConfig> Chain => Config?.Plugins ?? [];

    /// <summary>The chain's plugin types in ADD order.</summary>
    public IReadOnlyList<string> ChainTypes => Config?.ChainTypes ?? [];
}

/// <summary>Whether a node has a working CNI configuration.</summary>
public enum PrimaryStatus
{
    /// <summary>The first candidate loads: pods get networking from it.</summary>
    Loaded,
    /// <summary>The first candidate fails to load: the node reports NetworkReady=false (cni plugin not initialized).</summary>
    Invalid,
    /// <summary>No <c>.conf</c>/<c>.conflist</c>/<c>.json</c> at all: NetworkReady=false.</summary>
    NoConfig,
    /// <summary>The first candidate's content was not available to read (too large, unreadable).</summary>
    Unknown,
}

/// <summary>A folder entry the runtime never loads, and why.</summary>
/// <param name="Name">The entry's name.</param>
/// <param name="Reason">Why the runtime skips it.</param>
public sealed record IgnoredEntry(string Name, string Reason);

/// <summary>
/// Picks the primary configuration exactly as containerd's go-cni does: list <c>.conf</c>,
/// <c>.conflist</c> and <c>.json</c> (directories skipped, links listed by their own type and read through), sort names byte-wise,
/// load the first; if that one fails the node has no configuration — it does NOT try the next file.
/// </summary>
public static class PrimaryConfigSelector
{
    /// <summary>Selects the primary from a folder listing, loading only what it must.</summary>
    public static PrimaryConfig Select(IReadOnlyList<CniFolderFile> files, Func<CniFolderFile, ConfigLoadResult>? load = null)
    {
        load ??= f => CniConfigParser.Load(f.Name, f.Content ?? "");
        var candidates = new List<CniFolderFile>();
        var ignored = new List<IgnoredEntry>();
        foreach (var file in files)
        {
            // libcni lists the folder without following links: a link to a directory is a candidate
            // like any file (and fails to read), only a real directory is skipped.
            if (file.IsDirectory && !file.IsSymlink)
                ignored.Add(new IgnoredEntry(file.Name, "a directory; the runtime only reads files"));
            else if (CniFileNames.IsCandidate(file.Name))
                candidates.Add(file);
            else
                ignored.Add(new IgnoredEntry(file.Name, IgnoreReason(file)));
        }

        candidates.Sort(CniFolderFileOrder.Instance);
        var order = candidates.Select(c => c.Name).ToArray();
        if (candidates.Count == 0)
            return new PrimaryConfig { Status = PrimaryStatus.NoConfig, Ignored = ignored };

        var first = candidates[0];
        if (first.Content is null && first.LoadError is { Code: ConfigErrorCode.BrokenLink or ConfigErrorCode.NotAFile } linkError)
        {
            // The runtime's read of it fails for certain: the node has no configuration.
            return new PrimaryConfig { FileName = first.Name, Status = PrimaryStatus.Invalid, Error = linkError, Candidates = order, Ignored = ignored };
        }
        if (first.Content is null)
        {
            return new PrimaryConfig
            {
                FileName = first.Name,
                Status = PrimaryStatus.Unknown,
                Error = first.ContentOmitted == ContentOmission.Binary
                    ? new ConfigLoadError(ConfigErrorCode.NotText, "not UTF-8 text (binary content); the runtime cannot load it as JSON")
                    : new ConfigLoadError(ConfigErrorCode.ContentUnavailable, $"content not available ({first.ContentOmitted?.ToString() ?? "missing"})"),
                Candidates = order,
                Ignored = ignored,
            };
        }

        var result = load(first);
        return new PrimaryConfig
        {
            FileName = first.Name,
            Status = result.IsValid ? PrimaryStatus.Loaded : PrimaryStatus.Invalid,
            Config = result.Config,
            Error = result.Error,
            Candidates = order,
            Ignored = ignored,
        };
    }

    private static string IgnoreReason(CniFolderFile file)
    {
        if (file.Kind == CniFileKind.Kubeconfig) return "a kubeconfig read by a plugin, not a network configuration";
        var ext = Path.GetExtension(file.Name);
        return ext switch
        {
            ".cilium_bak" => "renamed by Cilium (cni.exclusive=true); the runtime no longer sees it",
            "" => "no extension; the runtime only loads .conf, .conflist and .json",
            _ => $"extension '{ext}' is not .conf, .conflist or .json",
        };
    }
}
