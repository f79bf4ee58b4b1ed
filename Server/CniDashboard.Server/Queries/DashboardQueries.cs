using CniDashboard.Server.Cluster;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Options;
using CniDashboard.Server.Polling;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Dashboard;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Queries;

/// <summary>
/// Everything the UI and the REST API read. Node lists and details come from memory; history,
/// files at a snapshot, sandbox events and diffs against the past come from the store.
/// </summary>
public sealed class DashboardQueries(
    NodeSummaries summaries,
    FleetState fleet,
    ClusterState cluster,
    SandboxActivity sandbox,
    WatchHealthRegistry watches,
    PollerStatus poller,
    ISnapshotRepository snapshots,
    ISandboxEventRepository sandboxEvents,
    IRetentionRepository retention,
    FolderDiffer differ,
    TimeProvider time,
    IOptions<DashboardOptions> options,
    Leadership.ReplicaLeadership? leadership = null) : IDashboardQueries
{
    private readonly DashboardOptions _options = options.Value;

    /// <inheritdoc />
    public Task<ConnectionStatus> GetConnectionStatusAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new ConnectionStatus
        {
            ClusterName = _options.ClusterName,
            Watches = watches.Snapshot(),
            LastPollAt = poller.LastFetchAt ?? poller.Last?.FinishedAt,
            PollInterval = _options.Poller.Mode == PollerMode.Poll ? _options.Poller.Interval : _options.Poller.SafetyInterval,
            Replica = leadership is { Elects: true } ? leadership.Identity : null,
            Leader = leadership is { Elects: true } ? leadership.Leader : null,
        });

    /// <inheritdoc />
    public async Task<ClusterOverview> GetOverviewAsync(CancellationToken cancellationToken)
    {
        var rows = summaries.All();
        var health = new HealthSummary(
            Total: rows.Count,
            Ok: rows.Count(r => r.Summary.WorstSeverity is null or Severity.Info),
            Warning: rows.Count(r => r.Summary.WorstSeverity == Severity.Warning),
            Critical: rows.Count(r => r.Summary.WorstSeverity == Severity.Critical),
            Stale: rows.Count(r => r.Summary.Agent.State == AgentState.Stale));

        var top = fleet.All
            .SelectMany(n => n.Findings.Select(f => (Node: n.Name, Finding: f)))
            .GroupBy(x => x.Finding.Rule, StringComparer.Ordinal)
            .Select(SummarizeRule)
            .OrderByDescending(f => f.Severity).ThenByDescending(f => f.AffectedNodes).ThenBy(f => f.Rule, StringComparer.Ordinal)
            .Take(10)
            .ToArray();

        var recent = await snapshots.GetRecentChangesAsync(_options.Queries.RecentChanges, cancellationToken);
        return new ClusterOverview
        {
            Health = health,
            TopFindings = top,
            DaemonSets = DaemonSetStatuses(),
            RecentChanges = recent.Select(s => new ConfigChange
            {
                Node = s.Node,
                At = s.TakenAt,
                SnapshotId = s.Id,
                Files = s.ChangedFiles,
                FirstSeen = s.FirstOfNode,
                Summary = ChangeSummary(s),
            }).ToArray(),
            SandboxErrorsLastHour = sandbox.Total(),
        };
    }

    /// <summary>A line for the Overview: a first snapshot (<see cref="ConfigChange.FirstSeen"/>) says what was seen, anything later what changed.</summary>
    private static string? ChangeSummary(StoredSnapshot s)
    {
        var chain = s.Chain.Count == 0 ? "no chain" : $"chain {string.Join(" → ", s.Chain)}";
        if (s.FirstOfNode) return $"{s.ChangedFiles.Count} {(s.ChangedFiles.Count == 1 ? "file" : "files")}; {chain}";
        return s.ChangedFiles.Count == 0 ? null : $"{string.Join(", ", s.ChangedFiles)} changed; {chain}";
    }

    /// <summary>One rule's open findings across the fleet; the example is the worst one, on the first node by name.</summary>
    private static FindingSummary SummarizeRule(IGrouping<string, (string Node, Finding Finding)> findings)
    {
        var example = findings.OrderByDescending(x => x.Finding.Severity).ThenBy(x => x.Node, StringComparer.Ordinal).First();
        var nodes = findings.Select(x => x.Node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return new FindingSummary
        {
            Rule = findings.Key,
            Severity = example.Finding.Severity,
            Message = example.Finding.Message,
            MessageNode = example.Node,
            Title = AnalyzerRules.TitleOf(findings.Key),
            AffectedNodes = nodes.Length,
            SampleNodes = nodes.Take(5).ToArray(),
        };
    }

    /// <inheritdoc />
    public Task<NodePage> GetNodesAsync(NodeQuery query, CancellationToken cancellationToken) =>
        Task.FromResult(NodeQueryEvaluator.Evaluate(summaries.All(), r => r.Summary, (r, rule) => r.HasRule(rule), query, _options.Queries.MaxPageSize));

    /// <inheritdoc />
    public Task<NodeFacets> GetNodeFacetsAsync(CancellationToken cancellationToken)
    {
        var groups = cluster.Nodes.Select(n => n.NodeGroup).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var rules = fleet.All.SelectMany(n => n.Findings).Select(f => f.Rule).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return Task.FromResult(new NodeFacets(groups, rules));
    }

    /// <inheritdoc />
    public async Task<NodeDetail?> GetNodeAsync(string nodeName, CancellationToken cancellationToken)
    {
        var row = summaries.One(nodeName);
        if (row is null) return null;
        var runtime = fleet.Get(nodeName);
        var latest = runtime?.Latest;
        var files = latest?.Files ?? [];
        var folder = CniFolder.Read(files);
        var byPlugin = sandbox.ByPlugin(nodeName);
        var findings = runtime?.Findings ?? [];

        var events = await sandboxEvents.GetRecentAsync(time.GetUtcNow() - TimeSpan.FromDays(1), new SandboxErrorQuery { Node = nodeName }, 100, cancellationToken);
        return new NodeDetail
        {
            Summary = row.Summary,
            SnapshotId = latest?.Header.Id,
            SnapshotAt = latest?.Header.TakenAt,
            Files = files.Select(f => new NodeFileView
            {
                File = f,
                IsPrimary = f.Name == folder.Primary.FileName,
                IgnoredReason = folder.Primary.Ignored.FirstOrDefault(i => i.Name == f.Name)?.Reason,
                LoadError = f.LoadError ?? (CniFileNames.IsCandidate(f.Name) ? folder.Loaded.GetValueOrDefault(f.Name)?.Error : null),
            }).ToArray(),
            Chain = (runtime?.Chain ?? []).Select(p => new ChainEntry
            {
                Index = p.Index,
                Type = p.Type,
                Name = p.Name,
                File = p.File,
                JsonPointer = p.JsonPointer,
                Severity = findings
                    .Where(f => f.Plugin == p.Type && (f.File is null || f.File == p.File) && (f.JsonPointer is null || f.JsonPointer == p.JsonPointer))
                    .Select(f => (Severity?)f.Severity).Max(),
                SandboxErrorsLastHour = byPlugin.GetValueOrDefault(p.Type),
            }).ToArray(),
            Findings = findings,
            SandboxErrors = runtime is null ? events : events.Select(e => WithCurrentRule(e, runtime)).ToArray(),
            Pods = cluster.PodsOn(nodeName).OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal).Select(p => new NodePod
            {
                Namespace = p.Namespace,
                Name = p.Name,
                DaemonSet = p.DaemonSet ?? p.Component,
                Image = p.Image,
                Phase = p.Phase,
                Ready = p.Ready,
                StartedAt = p.StartedAt,
            }).ToArray(),
            Labels = cluster.GetNode(nodeName)?.Labels ?? new Dictionary<string, string>(),
        };
    }

    private static SandboxErrorView WithCurrentRule(SandboxErrorView e, NodeRuntime runtime)
    {
        // The entry is as it was when the event came; the explaining finding may have appeared since.
        if (e.LinkedEntry is { Rule: not null }) return e;
        var now = Analysis.SandboxLinker.LinkIn(runtime, e.Failure);
        if (now?.Rule is null) return e;
        return e with { LinkedEntry = (e.LinkedEntry ?? now) with { Rule = now.Rule } };
    }

    /// <inheritdoc />
    public async Task<SnapshotHistory> GetHistoryAsync(string nodeName, int limit, CancellationToken cancellationToken)
    {
        var list = await snapshots.ListAsync(nodeName, Math.Clamp(limit, 1, _options.Queries.MaxHistory), cancellationToken);
        var pruned = await retention.GetPrunedBeforeAsync(cancellationToken);
        return new SnapshotHistory
        {
            Snapshots = list.Select(s => new SnapshotSummary
            {
                Id = s.Id,
                TakenAt = s.TakenAt,
                ManifestHash = s.ManifestHash,
                PrimaryFile = s.PrimaryFile,
                Chain = s.Chain,
                ChangedFiles = s.ChangedFiles,
            }).ToArray(),
            PrunedBefore = pruned.TryGetValue("snapshots", out var before) ? before : null,
        };
    }

    /// <inheritdoc />
    public Task<FolderDiff> GetDiffAsync(DiffRequest request, CancellationToken cancellationToken) => differ.DiffAsync(request, cancellationToken);

    /// <inheritdoc />
    public async Task<SandboxErrorReport> GetSandboxErrorsAsync(SandboxErrorQuery query, CancellationToken cancellationToken)
    {
        var window = query.Window < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : query.Window > _options.Retention.Keep ? _options.Retention.Keep : query.Window;
        var now = time.GetUtcNow();
        var since = now - window;
        var limit = Math.Clamp(query.Limit, 1, _options.Queries.MaxSandboxEvents);

        var groups = await sandboxEvents.GroupAsync(since, query, query.GroupBy, cancellationToken);
        var bucket = TimeSpan.FromMinutes(Math.Max(1, Math.Ceiling(window.TotalMinutes / 60)));
        var timeline = await sandboxEvents.TimelineAsync(since, now, bucket, query, query.StackBy, cancellationToken);
        var recent = await sandboxEvents.GetRecentAsync(since, query, limit + 1, cancellationToken);
        var pruned = await retention.GetPrunedBeforeAsync(cancellationToken);
        var shown = recent.Take(limit).Select(e => fleet.Get(e.Node) is { } runtime ? WithCurrentRule(e, runtime) : e).ToArray();

        return new SandboxErrorReport
        {
            Total = groups.Sum(g => g.Count),
            Groups = groups.Select(g =>
            {
                var members = shown.Where(e => KeyOf(e, query.GroupBy) == g.Key).ToArray();
                return new SandboxErrorGroup
                {
                    Key = g.Key,
                    Count = g.Count,
                    Nodes = g.Nodes,
                    FirstSeen = g.FirstSeen,
                    LastSeen = g.LastSeen,
                    Example = members.FirstOrDefault()?.Failure.ErrorText,
                    LinkedRule = members.Select(e => e.LinkedEntry?.Rule).OfType<string>()
                        .GroupBy(r => r, StringComparer.Ordinal).OrderByDescending(r => r.Count()).Select(r => r.Key).FirstOrDefault(),
                };
            }).ToArray(),
            Timeline = timeline,
            Recent = shown,
            Truncated = recent.Count > limit,
            PrunedBefore = pruned.TryGetValue("sandbox_events", out var before) ? before : null,
        };
    }

    private static string KeyOf(SandboxErrorView e, SandboxGrouping grouping) => grouping switch
    {
        SandboxGrouping.Node => e.Node,
        SandboxGrouping.Plugin => e.Failure.PluginType ?? "(none)",
        _ => e.Failure.ErrorClass.ToString(),
    };

    /// <inheritdoc />
    public Task<IReadOnlyList<DaemonSetStatus>> GetDaemonSetsAsync(CancellationToken cancellationToken) => Task.FromResult(DaemonSetStatuses());

    private IReadOnlyList<DaemonSetStatus> DaemonSetStatuses()
    {
        var now = time.GetUtcNow();
        return cluster.DaemonSets.Select(d =>
        {
            var rollingOut = d.Updated < d.Desired || d.Ready < d.Desired;
            return new DaemonSetStatus
            {
                Namespace = d.Namespace,
                Name = d.Name,
                Image = d.Image,
                Desired = d.Desired,
                Updated = d.Updated,
                Ready = d.Ready,
                Available = d.Available,
                Stuck = rollingOut && now - d.LastProgressAt > _options.Kubernetes.RolloutStuckAfter,
                NotReadyNodes = cluster.PodsOf(d.Namespace, d.Name).Where(p => !p.Ready && p.Node is not null).Select(p => p.Node!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(),
            };
        }).ToArray();
    }
}
