using CniDashboard.Shared.Analysis.Rules;

namespace CniDashboard.Shared.Analysis;

/// <summary>The one place the analyzer's rules are registered.</summary>
public static class AnalyzerRules
{
    /// <summary>Rule id of the finding that stands in for a rule that failed.</summary>
    public const string AnalyzerErrorId = "analyzer-error";

    /// <summary>Every rule, in evaluation order (the node-wide ones first).</summary>
    public static IReadOnlyList<IAnalyzerRule> All { get; } =
    [
        new NoCniConfigRule(),
        new PrimaryConfigInvalidRule(),
        new PrimaryConfigUnreadableRule(),
        new StrayConfigLoadedFirstRule(),
        new ConfigInvalidRule(),
        new MeshTokenPodGoneRule(),
        new KnownBadInstallerImageRule(),
        new MeshPluginMissingFromPrimaryRule(),
        new DuplicatePluginRule(),
        new KubeconfigMissingRule(),
        new MeshTokenExpiredRule(),
        new MeshTokenExpiringRule(),
        new MeshTokenNotRefreshedRule(),
        new PluginBinaryMissingRule(),
        new CniVersionUnsupportedRule(),
        new CniVersionMismatchRule(),
        new CiliumBakLeftoverRule(),
        new CiliumExclusiveWithMeshRule(),
        new CiliumConfigMissingRule(),
        new IptablesModeUnsupportedRule(),
        new InstallerVersionMismatchRule(),
        new IstioKubeconfigMisplacedRule(),
        new PluginDaemonNotRunningRule(),
        new NodeGroupDriftRule(),
        new HardLinkedFileRule(),
    ];

    private static readonly Dictionary<string, string> Titles = All.ToDictionary(r => r.Id, r => r.Title, StringComparer.Ordinal);

    /// <summary>What the rule with <paramref name="id"/> checks, in a line; null for an unknown id.</summary>
    public static string? TitleOf(string id) => Titles.GetValueOrDefault(id);
}
