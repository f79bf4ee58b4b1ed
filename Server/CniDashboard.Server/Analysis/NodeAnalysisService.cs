using CniDashboard.Server.Cluster;
using CniDashboard.Server.Feed;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Analysis;

/// <summary>
/// Runs the shared analyzer over nodes' latest files with their cluster facts, and turns the result
/// into finding history: new findings open, vanished ones resolve, the node's worst severity moves.
/// One analysis at a time, so two triggers never race on a node's findings.
/// </summary>
public sealed class NodeAnalysisService(
    CniAnalyzer analyzer,
    FleetState fleet,
    NodeContextBuilder contexts,
    NodeGroupBaselines baselines,
    ClusterState cluster,
    IFindingRepository findings,
    IChangePublisher feed,
    TimeProvider time,
    ILogger<NodeAnalysisService> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The group majority each node was last judged against (under the gate).</summary>
    private readonly Dictionary<string, ContextNodeGroup?> _judgedAgainst = new(StringComparer.Ordinal);

    /// <summary>Analyses run since start.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    private long _runs;

    /// <summary>Analyzes the given nodes (those never polled are skipped) and records what changed.</summary>
    public async Task AnalyzeAsync(IReadOnlyCollection<string> nodes, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var writes = new List<FindingChanges>();
            var published = new List<ClusterChange>();
            var next = new Dictionary<string, IReadOnlyList<Finding>>(StringComparer.Ordinal);
            var groups = baselines.Compute();
            var targets = nodes.Distinct(StringComparer.Ordinal).ToList();
            targets.AddRange(GroupMembersToRejudge(targets, groups).ToList());
            foreach (var node in targets)
            {
                var runtime = fleet.Get(node);
                if (runtime?.Latest is not { } latest) continue;

                IReadOnlyList<Finding> current;
                try
                {
                    var context = contexts.Build(node, groups);
                    var report = analyzer.Analyze(latest.Files, latest.Binaries, context, now, latest.Header.CniDir ?? CniAnalyzer.DefaultHostCniDir);
                    current = Deduplicate(report.Findings);
                    _judgedAgainst[node] = context.NodeGroup;
                }
                catch (Exception ex)
                {
                    // A rule bug must not stop the other nodes (nor keep stale findings as if re-confirmed).
                    logger.LogError(ex, "Analyzer failed on node {Node}; its findings are left as they were", node);
                    continue;
                }

                Interlocked.Increment(ref _runs);
                var change = Compare(node, runtime, current, latest.Header.Id, now, published);
                if (change is not null)
                {
                    writes.Add(change);
                    next[node] = current;
                }
            }

            if (writes.Count == 0) return;
            await findings.ApplyAsync(writes, cancellationToken);
            foreach (var (node, list) in next) fleet.SetFindings(node, list);
            feed.Publish(published);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Nodes of the analyzed nodes' groups whose drift finding the group's majority, as it is now, would
    /// change: a node that drifts and should not (or the reverse), or one that drifts from a majority
    /// whose counts its message names and which moved. A node whose answer stays the same is left alone,
    /// so a group that only grows costs nothing.
    /// </summary>
    private IEnumerable<string> GroupMembersToRejudge(List<string> analyzing, IReadOnlyDictionary<string, ContextNodeGroup> groups)
    {
        var already = analyzing.ToHashSet(StringComparer.Ordinal);
        var touched = analyzing.Select(n => cluster.GetNode(n)?.NodeGroup).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        foreach (var group in touched)
        {
            var now = groups.GetValueOrDefault(group);
            foreach (var member in baselines.MembersOf(group))
            {
                if (already.Contains(member) || fleet.Get(member) is not { Latest.Header: { } header } runtime) continue;
                var drifting = runtime.Findings.Any(f => f.Rule == DriftRule);
                var wouldDrift = now is not null && !NodeGroupMajority.Matches(now, header.PrimaryFile, header.Chain);
                if (drifting != wouldDrift || (wouldDrift && !NodeGroupBaselines.Same(_judgedAgainst.GetValueOrDefault(member), now)))
                {
                    already.Add(member);
                    yield return member;
                }
            }
        }
    }

    private static readonly string DriftRule = new Shared.Analysis.Rules.NodeGroupDriftRule().Id;

    // Identity is Finding.Key; a rule reporting one key twice keeps the worse.
    private static IReadOnlyList<Finding> Deduplicate(IReadOnlyList<Finding> list) => FindingSet.ByKey(list).Values.ToArray();

    private static FindingChanges? Compare(string node, NodeRuntime runtime, IReadOnlyList<Finding> current, long snapshotId, DateTimeOffset now, List<ClusterChange> published)
    {
        var old = runtime.Findings.ToDictionary(f => f.Key, StringComparer.Ordinal);
        var opened = new List<Finding>();
        var updated = new List<Finding>();
        foreach (var f in current)
        {
            if (!old.Remove(f.Key, out var before)) opened.Add(f);
            else if (before.Severity != f.Severity || before.Message != f.Message || !before.Evidence.SequenceEqual(f.Evidence) || before.Edit != f.Edit) updated.Add(f);
        }

        var resolved = old.Values.ToArray();
        if (opened.Count == 0 && updated.Count == 0 && resolved.Length == 0) return null;

        Severity? worstBefore = runtime.Findings.Count == 0 ? null : runtime.Findings.Max(f => f.Severity);
        Severity? worstAfter = current.Count == 0 ? null : current.Max(f => f.Severity);
        foreach (var f in opened)
            published.Add(new ClusterChange { Kind = ClusterChangeKind.FindingOpened, At = now, Node = node, Rule = f.Rule, Severity = f.Severity, Summary = f.Message });
        foreach (var f in resolved)
            published.Add(new ClusterChange { Kind = ClusterChangeKind.FindingResolved, At = now, Node = node, Rule = f.Rule, Severity = f.Severity, Summary = f.Message });
        if (worstBefore != worstAfter || updated.Count > 0)
            published.Add(new ClusterChange { Kind = ClusterChangeKind.NodeChanged, At = now, Node = node, Severity = worstAfter, Summary = worstAfter is null ? "no findings" : $"worst finding: {worstAfter}" });

        return new FindingChanges
        {
            Node = node,
            At = now,
            SnapshotId = snapshotId,
            Opened = opened,
            Updated = updated,
            ResolvedKeys = resolved.Select(f => f.Key).ToArray(),
            WorstSeverity = worstAfter,
        };
    }
}
