using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Remediation;

/// <summary>
/// Proposes a plan: for each node, the analyzer's mechanical edits for the rule at the node's current
/// snapshot (every finding of the rule on the node, so a stale entry in two conflists gives two
/// edits), the predicted outcome, and the findings the edits remove; then the canary order and the
/// risk notes. Pure and thread-safe.
/// </summary>
public sealed class RemediationPlanner
{
    private readonly CniAnalyzer _analyzer;

    /// <summary>A planner using <paramref name="analyzer"/> (the shared default when null).</summary>
    public RemediationPlanner(CniAnalyzer? analyzer = null) => _analyzer = analyzer ?? CniAnalyzer.Default;

    /// <summary>A planner with every rule.</summary>
    public static RemediationPlanner Default { get; } = new();

    /// <summary>Proposes the plan for one finding on one node: every finding of its rule (and plugin) on that node.</summary>
    public PlanProposal ForFinding(PlanNodeInput node, Finding finding, DateTimeOffset now, RemediationOptions? options = null, IReadOnlyList<NodeClusterContext>? fleet = null) =>
        Propose(new PlanRequest { Rule = finding.Rule, Plugin = finding.Plugin, Nodes = [node], Now = now, Options = options ?? new(), Fleet = fleet ?? [] });

    /// <summary>Proposes the plan for a rule across nodes.</summary>
    public PlanProposal Propose(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Rule)) throw new RemediationRefusal(RefusalCodes.InvalidPlan, "a plan fixes a rule: name one");
        var planned = new NodeRemediation?[request.Nodes.Count];
        var excluded = new ExcludedNode?[request.Nodes.Count];
        // Each node is judged on its own; the analyzer is thread-safe.
        Parallel.For(0, request.Nodes.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var (node, reason, gone) = PlanNode(request.Nodes[i], request);
            planned[i] = node;
            excluded[i] = reason is null ? null : new ExcludedNode(request.Nodes[i].Node, reason, gone);
        });

        var nodes = planned.OfType<NodeRemediation>().ToList();
        var duplicates = nodes.GroupBy(n => n.Node, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var skipped = excluded.OfType<ExcludedNode>().ToList();
        if (duplicates.Count > 0)
        {
            nodes = nodes.Where(n => !duplicates.Contains(n.Node)).ToList();
            skipped.AddRange(duplicates.Select(d => new ExcludedNode(d, "the node was asked for twice")));
        }
        if (request.Options.CanaryFirst)
        {
            // Stable: equal error counts keep the order asked for.
            nodes = [.. nodes.Select((n, i) => (n, i)).OrderByDescending(x => x.n.SandboxErrors).ThenBy(x => x.i).Select(x => x.n)];
        }

        var plugin = request.Plugin ?? SinglePlugin(nodes);
        var inputs = request.Nodes.ToDictionary(n => n.Node, StringComparer.Ordinal);
        var contexts = request.Fleet.Count > 0 ? request.Fleet : [.. request.Nodes.Select(n => n.Context)];
        var component = RemediationComponents.Restarts(request.Rule, plugin) ? RemediationComponents.Find(plugin, contexts) : null;
        return new PlanProposal
        {
            Rule = request.Rule,
            Plugin = plugin,
            Component = component,
            Options = request.Options,
            Nodes = nodes,
            Excluded = skipped,
            Risks = RiskAssessor.Assess(request.Rule, plugin, component, nodes, inputs, contexts),
        };
    }

    private (NodeRemediation? Node, string? Reason, bool FindingGone) PlanNode(PlanNodeInput input, PlanRequest request)
    {
        // The folder is read once for the analysis before and the edits' old chains.
        var folder = CniFolder.Read(input.Files);
        var before = _analyzer.Analyze(new AnalysisInput(folder, input.Binaries, input.Context, request.Now, input.HostCniDir));
        var findings = before.Findings.Where(f => f.Rule == request.Rule && (request.Plugin is null || f.Plugin == request.Plugin)).ToArray();
        if (findings.Length == 0) return (null, $"no {request.Rule} finding on the node now", true);
        var withoutEdit = findings.FirstOrDefault(f => f.Edit is null);
        if (withoutEdit is not null) return (null, $"\"{withoutEdit.Message}\" has no mechanical fix: fix it by hand", false);

        var edits = new List<PlannedEdit>();
        foreach (var finding in findings)
        {
            var edit = finding.Edit!;
            if (edits.Any(e => e.File == edit.File)) return (null, $"two {request.Rule} edits to {edit.File}: fix one, then plan again", false);
            var old = folder.Find(edit.File);
            var planned = PlannedEdit.From(edit, old?.Content, []);
            if (planned is null || old is null) return (null, $"the edit to {edit.File} does not say what the file holds now", false);
            edits.Add(planned);
        }

        var (prediction, after) = OutcomePredictor.Predict(_analyzer, input, before, edits, request.Now);
        // What each replace removes, from the chains the two analyses loaded (no third parse).
        edits = [.. edits.Select(e => e with { RemovedPlugins = RemovedPlugins(folder, after, e) })];
        var targets = findings.Select(f => new FindingTarget(f.Rule, f.File, f.Plugin, f.Severity, f.Message)).ToArray();
        return (new NodeRemediation
        {
            Node = input.Node,
            Edits = edits,
            Targets = targets,
            Prediction = prediction,
            SandboxErrors = input.Context.SandboxErrors.Sum(e => Math.Max(0, e.Count)),
        }, null, false);
    }

    /// <summary>Plugin types a replace removes from the file's chain: the old chain minus the new one, as a multiset.</summary>
    private static IReadOnlyList<string> RemovedPlugins(CniFolder before, CniFolder after, PlannedEdit edit)
    {
        if (edit.Kind != FileEditKind.Replace) return [];
        var old = before.Loaded.GetValueOrDefault(edit.File)?.Config?.ChainTypes ?? [];
        var kept = after.Loaded.GetValueOrDefault(edit.File)?.Config?.ChainTypes ?? [];
        var removed = old.ToList();
        foreach (var type in kept) removed.Remove(type);
        return removed;
    }

    private static string? SinglePlugin(IReadOnlyList<NodeRemediation> nodes)
    {
        var plugins = nodes.SelectMany(n => n.Targets).Select(t => t.Plugin).Distinct(StringComparer.Ordinal).ToArray();
        return plugins is [{ } only] ? only : null;
    }
}
