namespace CniDashboard.Shared.Cni;

/// <summary>
/// A node's CNI folder read once: every candidate file loaded, the primary selected. Analyzer
/// rules, the dashboard and the simulator's kubelet all look at a folder through this.
/// </summary>
public sealed class CniFolder
{
    private readonly Dictionary<string, CniFolderFile> _byName;
    private readonly Dictionary<string, ConfigLoadResult> _loaded;

    private CniFolder(IReadOnlyList<CniFolderFile> files, Dictionary<string, ConfigLoadResult> loaded, PrimaryConfig primary)
    {
        Files = files;
        _loaded = loaded;
        Primary = primary;
        _byName = new Dictionary<string, CniFolderFile>(StringComparer.Ordinal);
        foreach (var file in files) _byName.TryAdd(file.Name, file);
    }

    /// <summary>Every entry of the folder.</summary>
    public IReadOnlyList<CniFolderFile> Files { get; }

    /// <summary>What the runtime loads.</summary>
    public PrimaryConfig Primary { get; }

    /// <summary>Every candidate config (and every ignored file that reads as a conflist), loaded.</summary>
    public IReadOnlyDictionary<string, ConfigLoadResult> Loaded => _loaded;

    /// <summary>The configurations that load, primary first, then in the runtime's order.</summary>
    public IEnumerable<NetworkConfigList> ValidConfigs =>
        Primary.Candidates.Select(n => _loaded.GetValueOrDefault(n)?.Config).OfType<NetworkConfigList>();

    /// <summary>An entry by name.</summary>
    public CniFolderFile? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Reads a folder listing.</summary>
    public static CniFolder Read(IReadOnlyList<CniFolderFile> files)
    {
        var loaded = new Dictionary<string, ConfigLoadResult>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (file.IsDirectory || file.Content is null) continue;
            var role = CniFileNames.RoleOf(file.Name);
            if (role != CniFileRole.Ignored)
            {
                loaded[file.Name] = CniConfigParser.Load(file.Name, file.Content);
            }
            else if (file.Kind != CniFileKind.Kubeconfig && LooksLikeJsonObject(file.Content))
            {
                // Backups such as 10-aws.conflist.cilium_bak: read them as the conflist they were.
                loaded[file.Name] = CniConfigParser.LoadAs(file.Name, file.Content, CniFileRole.ConfigList);
            }
        }

        var primary = PrimaryConfigSelector.Select(files, f => loaded.TryGetValue(f.Name, out var r) ? r : CniConfigParser.Load(f.Name, f.Content ?? ""));
        return new CniFolder(files, loaded, primary);
    }

    private static bool LooksLikeJsonObject(string text)
    {
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c)) continue;
            return c == '{';
        }
        return false;
    }
}
