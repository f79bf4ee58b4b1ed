using System.Collections.Concurrent;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Diff;

namespace CniDashboard.Client.Tests.Fakes;

/// <summary>
/// <see cref="IDashboardQueries"/> over a <see cref="SampleCluster"/> in memory: filters, sorts
/// and pages with the backend's own <see cref="NodeQueryEvaluator"/>, diffs the way the backend does, records what it was asked, and fails on demand.
/// </summary>
public sealed class FakeDashboardQueries(SampleCluster cluster, TimeProvider clock) : IDashboardQueries
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<NodeQuery> _nodeQueries = new();
    private readonly ConcurrentQueue<DiffRequest> _diffRequests = new();
    private readonly ConcurrentQueue<SandboxErrorQuery> _sandboxQueries = new();

    /// <summary>The server's default page cap (<c>Dashboard:Queries:MaxPageSize</c>).</summary>
    public const int MaxPageSize = 500;

    /// <summary>The data served.</summary>
    public SampleCluster Cluster { get; set; } = cluster;

    /// <summary>
    /// Applied to every overview answered: for states the sample's data cannot produce (a top finding
    /// whose example node is unknown, as from a server older than that field).
    /// </summary>
    public Func<ClusterOverview, ClusterOverview> OverviewAs { get; set; } = overview => overview;

    /// <summary>Every node query received, in order.</summary>
    public IReadOnlyList<NodeQuery> NodeQueries => [.. _nodeQueries];

    /// <summary>Every diff request received, in order.</summary>
    public IReadOnlyList<DiffRequest> DiffRequests => [.. _diffRequests];

    /// <summary>Every sandbox-error query received, in order.</summary>
    public IReadOnlyList<SandboxErrorQuery> SandboxQueries => [.. _sandboxQueries];

    /// <summary>Calls of a method so far.</summary>
    public int Calls(string method) => _calls.GetValueOrDefault(method);

    /// <summary>Makes a method throw (as a broken store would) until <see cref="Recover"/>.</summary>
    public void Fail(string method, string message = "database is locked") => _failures[method] = message;

    /// <summary>Makes every method answer again.</summary>
    public void Recover() => _failures.Clear();

    /// <inheritdoc />
    public Task<ConnectionStatus> GetConnectionStatusAsync(CancellationToken cancellationToken) =>
        Answer(nameof(GetConnectionStatusAsync), () => Cluster.Connection, cancellationToken);

    /// <inheritdoc />
    public Task<ClusterOverview> GetOverviewAsync(CancellationToken cancellationToken) =>
        Answer(nameof(GetOverviewAsync), BuildOverview, cancellationToken);

    /// <inheritdoc />
    public Task<NodePage> GetNodesAsync(NodeQuery query, CancellationToken cancellationToken)
    {
        _nodeQueries.Enqueue(query);
        return Answer(nameof(GetNodesAsync), () => Page(query), cancellationToken);
    }

    /// <inheritdoc />
    public Task<NodeFacets> GetNodeFacetsAsync(CancellationToken cancellationToken) =>
        Answer(nameof(GetNodeFacetsAsync), () => new NodeFacets(
            Cluster.Nodes.Values.Select(n => n.NodeGroup).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList(),
            Cluster.Details.Values.SelectMany(d => d.Findings).Select(f => f.Rule).Distinct().Order(StringComparer.Ordinal).ToList()),
            cancellationToken);

    /// <inheritdoc />
    public Task<NodeDetail?> GetNodeAsync(string nodeName, CancellationToken cancellationToken) =>
        Answer(nameof(GetNodeAsync), () => Cluster.Details.GetValueOrDefault(nodeName), cancellationToken);

    /// <inheritdoc />
    public Task<SnapshotHistory> GetHistoryAsync(string nodeName, int limit, CancellationToken cancellationToken) =>
        Answer(nameof(GetHistoryAsync), () =>
        {
            var snapshots = Cluster.Snapshots.GetValueOrDefault(nodeName) ?? [];
            var summaries = new List<SnapshotSummary>();
            for (var i = 0; i < snapshots.Count && i < limit; i++)
            {
                var snap = snapshots[i];
                var before = i + 1 < snapshots.Count ? snapshots[i + 1].Files : [];
                var folder = CniFolder.Read(snap.Files);
                summaries.Add(new SnapshotSummary
                {
                    Id = snap.Id,
                    TakenAt = snap.TakenAt,
                    ManifestHash = $"sha256:{snap.Id:x12}",
                    PrimaryFile = folder.Primary.FileName,
                    Chain = folder.Primary.ChainTypes,
                    ChangedFiles = snap.Files.Select(f => f.Name)
                        .Union(before.Select(f => f.Name))
                        .Where(n => snap.Files.FirstOrDefault(f => f.Name == n)?.Sha256 != before.FirstOrDefault(f => f.Name == n)?.Sha256)
                        .Order(StringComparer.Ordinal)
                        .ToList(),
                });
            }

            return new SnapshotHistory { Snapshots = summaries };
        }, cancellationToken);

    /// <inheritdoc />
    public Task<FolderDiff> GetDiffAsync(DiffRequest request, CancellationToken cancellationToken)
    {
        _diffRequests.Enqueue(request);
        return Answer(nameof(GetDiffAsync), () =>
        {
            var (leftLabel, left) = Side(request.Left);
            var (rightLabel, right) = Side(request.Right);
            if (left is null || right is null)
            {
                return new FolderDiff { LeftLabel = leftLabel, RightLabel = rightLabel, Unavailable = "There is no snapshot before the latest one." };
            }

            var names = left.Select(f => f.Name).Union(right.Select(f => f.Name))
                .Where(n => request.File is null || n == request.File)
                .Order(StringComparer.Ordinal);
            var files = names.Select(name =>
            {
                var l = left.FirstOrDefault(f => f.Name == name);
                var r = right.FirstOrDefault(f => f.Name == name);
                var status = l is null ? FileDiffStatus.Added : r is null ? FileDiffStatus.Removed
                    : l.Sha256 == r.Sha256 ? FileDiffStatus.Unchanged : FileDiffStatus.Modified;
                var changes = CniFileNames.IsCandidate(name) && status != FileDiffStatus.Unchanged
                    ? ChainDiff.Compare(Load(l), Load(r))
                    : [];
                return new FileDiff { File = name, Status = status, Text = TextDiff.SideBySide(l?.Content, r?.Content), ChainChanges = changes };
            }).ToList();
            return new FolderDiff { LeftLabel = leftLabel, RightLabel = rightLabel, Files = files };
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<SandboxErrorReport> GetSandboxErrorsAsync(SandboxErrorQuery query, CancellationToken cancellationToken)
    {
        _sandboxQueries.Enqueue(query);
        return Answer(nameof(GetSandboxErrorsAsync), () =>
        {
            var now = clock.GetUtcNow();
            var from = now - query.Window;
            var failures = Cluster.Failures.Where(f => f.At >= from && f.At <= now)
                .Select(f => (Failure: f, Parsed: Shared.Sandbox.SandboxErrorParser.Parse(f.Message)))
                .Where(x => query.Node is null || x.Failure.Node == query.Node)
                .Where(x => query.PluginType is null || x.Parsed.PluginType == query.PluginType)
                .Where(x => query.ErrorClass is null || x.Parsed.ErrorClass == query.ErrorClass)
                .ToList();
            string Key((SampleFailure Failure, Shared.Sandbox.SandboxFailure Parsed) x, SandboxGrouping by) => by switch
            {
                SandboxGrouping.Plugin => x.Parsed.PluginType ?? "unknown",
                SandboxGrouping.Node => x.Failure.Node,
                _ => x.Parsed.ErrorClass.ToString(),
            };

            var bucketSize = query.Window / 12;
            var timeline = Enumerable.Range(0, 12).Select(i =>
            {
                var start = from + (bucketSize * i);
                var inBucket = failures.Where(x => x.Failure.At >= start && x.Failure.At < start + bucketSize);
                return new TimelineBucket(start, inBucket.GroupBy(x => Key(x, query.StackBy)).ToDictionary(g => g.Key, g => g.Count()));
            }).ToList();
            var groups = failures.GroupBy(x => Key(x, query.GroupBy)).Select(g => new SandboxErrorGroup
            {
                Key = g.Key,
                Count = g.Count(),
                Nodes = g.Select(x => x.Failure.Node).Distinct().Count(),
                FirstSeen = g.Min(x => x.Failure.At),
                LastSeen = g.Max(x => x.Failure.At),
                Example = g.First().Parsed.ErrorText,
                LinkedRule = g.First().Failure.Link?.Rule,
            }).OrderByDescending(g => g.Count).ToList();
            var included = failures.Select(x => x.Failure).ToHashSet();
            var events = Cluster.Events(included.Contains);
            return new SandboxErrorReport
            {
                Total = failures.Count,
                Groups = groups,
                Timeline = timeline,
                Recent = events.Take(query.Limit).ToList(),
                Truncated = events.Count > query.Limit,
            };
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DaemonSetStatus>> GetDaemonSetsAsync(CancellationToken cancellationToken) =>
        Answer(nameof(GetDaemonSetsAsync), () => (IReadOnlyList<DaemonSetStatus>)Cluster.DaemonSets, cancellationToken);

    private Task<T> Answer<T>(string method, Func<T> answer, CancellationToken cancellationToken)
    {
        _calls.AddOrUpdate(method, 1, (_, n) => n + 1);
        cancellationToken.ThrowIfCancellationRequested();
        return _failures.TryGetValue(method, out var message)
            ? Task.FromException<T>(new InvalidOperationException(message))
            : Task.FromResult(answer());
    }

    private ClusterOverview BuildOverview()
    {
        var nodes = Cluster.Nodes.Values.ToList();
        var findings = Cluster.Details.Values.SelectMany(d => d.Findings.Select(f => (Node: d.Summary.Name, Finding: f)))
            .Where(x => x.Finding.Severity >= Severity.Warning)
            .GroupBy(x => x.Finding.Rule)
            .Select(g => new FindingSummary
            {
                Rule = g.Key,
                Severity = g.Max(x => x.Finding.Severity),
                Message = g.First().Finding.Message,
                MessageNode = g.First().Node,
                Title = CniDashboard.Shared.Analysis.AnalyzerRules.TitleOf(g.Key),
                AffectedNodes = g.Select(x => x.Node).Distinct().Count(),
                SampleNodes = g.Select(x => x.Node).Distinct().Take(3).ToList(),
            })
            .OrderByDescending(f => f.Severity).ThenByDescending(f => f.AffectedNodes)
            .ToList();
        var changes = Cluster.Snapshots
            .Where(s => s.Value.Count > 0)
            .Select(s => s.Value.Count == 1
                ? new ConfigChange
                {
                    Node = s.Key,
                    At = s.Value[0].TakenAt,
                    SnapshotId = s.Value[0].Id,
                    Files = [.. s.Value[0].Files.Select(f => f.Name)],
                    FirstSeen = true,
                    Summary = $"{s.Value[0].Files.Count} files",
                }
                : new ConfigChange
                {
                    Node = s.Key,
                    At = s.Value[0].TakenAt,
                    SnapshotId = s.Value[0].Id,
                    Files = ["05-cilium.conflist", "10-aws.conflist", "ZZZ-linkerd-cni-kubeconfig"],
                    Summary = "05-cilium.conflist: linkerd-cni added at position 5",
                })
            .OrderByDescending(c => c.At)
            .Take(10)
            .ToList();
        return OverviewAs(new ClusterOverview
        {
            Health = new HealthSummary(
                nodes.Count,
                nodes.Count(n => n.WorstSeverity is null or Severity.Info),
                nodes.Count(n => n.WorstSeverity == Severity.Warning),
                nodes.Count(n => n.WorstSeverity == Severity.Critical),
                nodes.Count(n => n.Agent.State == AgentState.Stale)),
            TopFindings = findings,
            DaemonSets = Cluster.DaemonSets,
            RecentChanges = changes,
            SandboxErrorsLastHour = nodes.Sum(n => n.SandboxErrorsLastHour),
        });
    }

    /// <summary>The server's own evaluator over the sample's rows: a fake that re-implemented it would drift.</summary>
    private NodePage Page(NodeQuery query) => NodeQueryEvaluator.Evaluate(
        Cluster.Nodes.Values,
        n => n,
        (n, rule) => Cluster.Details.TryGetValue(n.Name, out var d) && d.Findings.Any(f => f.Rule == rule),
        query,
        MaxPageSize);

    private (string Label, IReadOnlyList<CniFolderFile>? Files) Side(DiffSide side)
    {
        var snapshots = side.Node is null ? null : Cluster.Snapshots.GetValueOrDefault(side.Node);
        switch (side.Kind)
        {
            case DiffSideKind.GroupBaseline:
                var member = Cluster.Nodes.Values.First(n => n.NodeGroup == side.NodeGroup && !SampleCluster.IncidentNodes.Contains(n.Name));
                return ($"baseline of {side.NodeGroup}", Cluster.Snapshots[member.Name][0].Files);
            case DiffSideKind.Previous:
                return snapshots is { Count: > 1 } ? ($"{side.Node} @ {snapshots[1].TakenAt:HH:mm:ss}", snapshots[1].Files) : ($"{side.Node} (previous)", null);
            case DiffSideKind.Snapshot:
                var snap = snapshots?.FirstOrDefault(s => s.Id == side.SnapshotId);
                return snap is null ? ($"snapshot {side.SnapshotId}", null) : ($"{side.Node} @ {snap.TakenAt:HH:mm:ss}", snap.Files);
            default:
                return snapshots is { Count: > 0 } ? ($"{side.Node} (latest)", snapshots[0].Files) : ($"{side.Node}", null);
        }
    }

    private static NetworkConfigList? Load(CniFolderFile? file) =>
        file?.Content is null ? null : CniConfigParser.Load(file.Name, file.Content).Config;
}
