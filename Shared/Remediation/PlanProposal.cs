using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Remediation;

/// <summary>A node's current state, as the planner needs it: its snapshot's files and the cluster facts about it.</summary>
public sealed record PlanNodeInput
{
    /// <summary>The node's name.</summary>
    public required string Node { get; init; }

    /// <summary>Its CNI folder as the latest snapshot has it (the edits are computed against these bytes).</summary>
    public required IReadOnlyList<CniFolderFile> Files { get; init; }

    /// <summary>Its plugin binaries, when known.</summary>
    public IReadOnlyList<PluginBinary>? Binaries { get; init; }

    /// <summary>Its cluster facts (pods, DaemonSets, sandbox errors), as the dashboard's analysis uses them.</summary>
    public NodeClusterContext Context { get; init; } = new();

    /// <summary>The folder's path on the host.</summary>
    public string HostCniDir { get; init; } = CniAnalyzer.DefaultHostCniDir;
}

/// <summary>What to plan: a rule (optionally one plugin of it) on some nodes.</summary>
public sealed record PlanRequest
{
    /// <summary>The analyzer rule to fix, e.g. <c>mesh-token-pod-gone</c>.</summary>
    public required string Rule { get; init; }

    /// <summary>Only the findings about this plugin type (from a finding's <see cref="Finding.Plugin"/>); null for all.</summary>
    public string? Plugin { get; init; }

    /// <summary>The nodes to plan for, in the order asked (the canary is moved first when the options say so).</summary>
    public required IReadOnlyList<PlanNodeInput> Nodes { get; init; }

    /// <summary>Every node's cluster facts, for fleet-wide risks (e.g. how many nodes still run a broken installer); the planned nodes' alone when empty.</summary>
    public IReadOnlyList<NodeClusterContext> Fleet { get; init; } = [];

    /// <summary>The options the plan starts with.</summary>
    public RemediationOptions Options { get; init; } = new();

    /// <summary>The time the analyzer judges against (token expiry).</summary>
    public required DateTimeOffset Now { get; init; }
}

/// <summary>The planner's answer: the nodes it can fix mechanically (ordered, each with edits and prediction), those it cannot and why, and the risks.</summary>
public sealed record PlanProposal
{
    /// <summary>The rule.</summary>
    public required string Rule { get; init; }

    /// <summary>The plugin type the findings are about, when they share one.</summary>
    public string? Plugin { get; init; }

    /// <summary>The DaemonSet whose pod each node restarts after its edits; null when the fix needs none.</summary>
    public RemediationComponent? Component { get; init; }

    /// <summary>The options asked for.</summary>
    public RemediationOptions Options { get; init; } = new();

    /// <summary>The nodes the plan can fix, canary first when the options say so.</summary>
    public IReadOnlyList<NodeRemediation> Nodes { get; init; } = [];

    /// <summary>Nodes asked for that cannot be planned, with the reason.</summary>
    public IReadOnlyList<ExcludedNode> Excluded { get; init; } = [];

    /// <summary>What the approvers must acknowledge.</summary>
    public IReadOnlyList<RiskNote> Risks { get; init; } = [];

    /// <summary>True when some node's predicted outcome adds a critical finding (the plan could not be submitted).</summary>
    public bool AddsCritical => Nodes.Any(n => n.Prediction.AddsCritical);
}

/// <summary>A node left out of a proposal.</summary>
/// <param name="Node">The node.</param>
/// <param name="Reason">Why, in a sentence.</param>
/// <param name="FindingGone">True when the node does not show the finding at all (nothing to fix), rather than showing it in a way the planner cannot fix.</param>
public sealed record ExcludedNode(string Node, string Reason, bool FindingGone = false);
