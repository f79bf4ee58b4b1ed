using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Analysis;

/// <summary>One check over a node's CNI folder. Rules are stateless and never throw on bad input.</summary>
public interface IAnalyzerRule
{
    /// <summary>The stable rule id every finding of this rule carries.</summary>
    string Id { get; }

    /// <summary>What the rule checks, in a line (for docs and the UI's rule list).</summary>
    string Title { get; }

    /// <summary>Findings for this folder; empty when the rule does not fire.</summary>
    IEnumerable<Finding> Evaluate(AnalysisInput input);
}

/// <summary>What rules look at: the folder read once, plus optional binaries and cluster facts.</summary>
public sealed class AnalysisInput
{
    /// <summary>Creates an input.</summary>
    public AnalysisInput(CniFolder folder, IReadOnlyList<PluginBinary>? binaries, NodeClusterContext context, DateTimeOffset now, string hostCniDir)
    {
        Folder = folder;
        Binaries = binaries;
        Context = context;
        Now = now;
        HostCniDir = hostCniDir;
    }

    /// <summary>The folder with its primary selected and configs loaded.</summary>
    public CniFolder Folder { get; }

    /// <summary>Plugin executables in <c>/opt/cni/bin</c>; null when unknown (then binary rules stay silent).</summary>
    public IReadOnlyList<PluginBinary>? Binaries { get; }

    /// <summary>Cluster facts for the node; empty when none were given.</summary>
    public NodeClusterContext Context { get; }

    /// <summary>The time to judge expiry against.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The folder's path on the host (what plugin configs reference), normally <c>/etc/cni/net.d</c>.</summary>
    public string HostCniDir { get; }

    /// <summary>The candidate configurations that load, primary first (computed once for all rules).</summary>
    internal IReadOnlyList<NetworkConfigList> ValidConfigs => _validConfigs ??= Folder.ValidConfigs.ToArray();

    /// <summary>Every kubeconfig path a loaded plugin names, with the folder entry it maps to (computed once for all rules).</summary>
    internal IReadOnlyList<Rules.KubeconfigReference> KubeconfigReferences => _kubeconfigReferences ??= Rules.KubeconfigReference.All(this);

    private NetworkConfigList[]? _validConfigs;
    private Rules.KubeconfigReference[]? _kubeconfigReferences;
}
