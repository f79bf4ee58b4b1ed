using System.Text.Json.Serialization;

namespace CniDashboard.Shared.Remediation;

/// <summary>
/// A remediation plan: which nodes get which file edits, in which order, how they are verified, who
/// approved it — and, once running, how far each node got. Immutable: every transition checks the
/// current state, throws <see cref="RemediationRefusal"/> when it is not allowed, and otherwise returns
/// the next version (<see cref="Version"/> + 1) with <see cref="LastEvent"/> saying what happened, for
/// the audit log. Nothing here does I/O: the engine persists each version and performs the side
/// effects the plan asks for (<see cref="NextActions"/>). See docs/remediation.md.
/// </summary>
public sealed partial record RemediationPlan
{
    /// <summary>The plan's id (<see cref="RemediationKeys.IsPlanId"/>); it names the plan in the cluster (annotations, change ids, user agent).</summary>
    [JsonInclude]
    public string Id { get; internal init; } = "";

    /// <summary>The analyzer rule the plan fixes.</summary>
    [JsonInclude]
    public string Rule { get; internal init; } = "";

    /// <summary>The plugin type the plan fixes, when the rule is about one (e.g. <c>linkerd-cni</c>).</summary>
    [JsonInclude]
    public string? Plugin { get; internal init; }

    /// <summary>Who created it (subject).</summary>
    [JsonInclude]
    public string Author { get; internal init; } = "";

    /// <summary>When it was created.</summary>
    [JsonInclude]
    public DateTimeOffset CreatedAt { get; internal init; }

    /// <summary>The DaemonSet whose pod is restarted on each node after its edits; null when the fix needs no restart.</summary>
    [JsonInclude]
    public RemediationComponent? Component { get; internal init; }

    /// <summary>Pace, cordoning, verification.</summary>
    [JsonInclude]
    public RemediationOptions Options { get; internal init; } = new();

    /// <summary>The nodes, in the order they are fixed (the canary first).</summary>
    [JsonInclude]
    public IReadOnlyList<NodeRemediation> Nodes { get; internal init; } = [];

    /// <summary>What the approvers must acknowledge.</summary>
    [JsonInclude]
    public IReadOnlyList<RiskNote> Risks { get; internal init; } = [];

    /// <summary>The state.</summary>
    [JsonInclude]
    public PlanState State { get; internal init; }

    /// <summary>Increases by one with every transition: the engine's optimistic-concurrency token.</summary>
    [JsonInclude]
    public long Version { get; internal init; }

    /// <summary>What the transition that made this version did.</summary>
    [JsonInclude]
    public PlanEvent? LastEvent { get; internal init; }

    /// <summary>The approval rules taken at submission.</summary>
    [JsonInclude]
    public ApprovalPolicy Policy { get; internal init; } = new();

    /// <summary>When it was submitted for approval.</summary>
    [JsonInclude]
    public DateTimeOffset? SubmittedAt { get; internal init; }

    /// <summary>The author's comment on submission.</summary>
    [JsonInclude]
    public string? SubmitComment { get; internal init; }

    /// <summary>A submitted plan nobody approved expires at this time.</summary>
    [JsonInclude]
    public DateTimeOffset? ReviewExpiresAt { get; internal init; }

    /// <summary>Every approval given (valid or not: <see cref="ValidApprovals"/>).</summary>
    [JsonInclude]
    public IReadOnlyList<Approval> Approvals { get; internal init; } = [];

    /// <summary>The rejection, when rejected.</summary>
    [JsonInclude]
    public Rejection? Rejection { get; internal init; }

    /// <summary>The standing approval in force, when the approvers granted one.</summary>
    [JsonInclude]
    public StandingApproval? Standing { get; internal init; }

    /// <summary>Who started it.</summary>
    [JsonInclude]
    public string? StartedBy { get; internal init; }

    /// <summary>When it started.</summary>
    [JsonInclude]
    public DateTimeOffset? StartedAt { get; internal init; }

    /// <summary>Why it is paused, while paused.</summary>
    [JsonInclude]
    public PauseReason? PauseReason { get; internal init; }

    /// <summary>The pause in a sentence, while paused.</summary>
    [JsonInclude]
    public string? PauseDetail { get; internal init; }

    /// <summary>While paused: the state a resume returns to (running, aborting, rolling back).</summary>
    [JsonInclude]
    public PlanState? PausedFrom { get; internal init; }

    /// <summary>True once the hold after the canary has happened (it happens once).</summary>
    [JsonInclude]
    public bool CanaryHeld { get; internal init; }

    /// <summary>When it reached a final state.</summary>
    [JsonInclude]
    public DateTimeOffset? FinishedAt { get; internal init; }

    /// <summary>The hash approvals bind (<see cref="PlanHash.Of"/>), computed now.</summary>
    public string Sha256() => PlanHash.Of(this);

    /// <summary>The node named <paramref name="node"/>; throws when the plan has none.</summary>
    public NodeRemediation NodeNamed(string node) =>
        Nodes.FirstOrDefault(n => n.Node == node) ?? throw Refuse(RefusalCodes.InvalidPlan, $"node {node} is not in plan {Id}");

    /// <summary>Nodes that joined under the standing approval.</summary>
    public int AdmittedByStanding => Nodes.Count(n => n.Admission.ByStandingApproval);

    /// <summary>
    /// Creates a draft from a proposal (<see cref="RemediationPlanner"/>). Refuses a bad id, an empty
    /// proposal, bad options, or one node twice.
    /// </summary>
    public static RemediationPlan CreateDraft(string id, string author, DateTimeOffset now, PlanProposal proposal, RemediationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        if (!RemediationKeys.IsPlanId(id)) throw Refuse(RefusalCodes.InvalidPlan, $"'{id}' is not a plan id: 1-40 of a-z, 0-9 and '-', starting with a letter or digit");
        if (string.IsNullOrWhiteSpace(author)) throw Refuse(RefusalCodes.InvalidPlan, "a plan needs an author");
        options ??= proposal.Options;
        CheckOptions(options);
        CheckNodes(proposal.Nodes);
        var plan = new RemediationPlan
        {
            Id = id,
            Rule = proposal.Rule,
            Plugin = proposal.Plugin,
            Author = author,
            CreatedAt = now,
            Component = proposal.Component,
            Options = options,
            Nodes = [.. proposal.Nodes.Select(n => n with { Admission = new NodeAdmission(false, now), Status = NodeStatus.Pending, Step = NodeStep.Prepare })],
            Risks = proposal.Risks,
            State = PlanState.Draft,
            Version = 1,
        };
        return plan with { LastEvent = new PlanEvent(PlanActions.Created, author, now, PlanState.Draft, Detail: $"{proposal.Nodes.Count} nodes, rule {proposal.Rule}") };
    }

    /// <summary>The next version with <paramref name="event"/> as its last event.</summary>
    private RemediationPlan Next(PlanEvent @event) => this with { Version = Version + 1, LastEvent = @event };

    private RemediationPlan WithNode(NodeRemediation node)
    {
        var nodes = Nodes.ToArray();
        var index = Array.FindIndex(nodes, n => n.Node == node.Node);
        nodes[index] = node;
        return this with { Nodes = nodes };
    }

    private void Require(string action, params PlanState[] states)
    {
        if (!states.Contains(State))
            throw Refuse(RefusalCodes.InvalidState, $"cannot {action} plan {Id}: it is {State}, and only a plan that is {string.Join(" or ", states)} can be");
    }

    private static RemediationRefusal Refuse(string code, string message) => new(code, message);

    private static void CheckOptions(RemediationOptions options)
    {
        if (options.Problems() is { Count: > 0 } problems) throw Refuse(RefusalCodes.InvalidPlan, "invalid options: " + string.Join("; ", problems));
    }

    private static void CheckNodes(IReadOnlyList<NodeRemediation> nodes)
    {
        if (nodes.Count == 0) throw Refuse(RefusalCodes.InvalidPlan, "a plan needs at least one node");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (!seen.Add(node.Node)) throw Refuse(RefusalCodes.InvalidPlan, $"node {node.Node} is in the plan twice");
            CheckEdits(node);
        }
    }

    private static void CheckEdits(NodeRemediation node)
    {
        if (node.Edits.Count == 0) throw Refuse(RefusalCodes.InvalidPlan, $"node {node.Node} has no edit");
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var edit in node.Edits)
        {
            // Each edit was computed from the file as reviewed; a second one to the same file could never apply.
            if (!files.Add(edit.File)) throw Refuse(RefusalCodes.InvalidPlan, $"node {node.Node} has two edits to {edit.File}");
        }
    }
}
