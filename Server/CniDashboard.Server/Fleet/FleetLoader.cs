using CniDashboard.Server.Store;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Fleet;

/// <summary>
/// Reads the fleet's state from the store into memory: all of it at start (and when a follower
/// missed notifications), or the nodes another replica just wrote.
/// </summary>
public sealed class FleetLoader(
    INodeRepository nodes,
    ISnapshotRepository snapshots,
    IFindingRepository findings,
    ISandboxEventRepository sandboxEvents,
    FleetState fleet,
    SandboxActivity activity,
    TimeProvider time)
{
    /// <summary>Most open findings read for one node on a refresh (the analyzer emits far fewer).</summary>
    private const int FindingsPerNode = 10_000;

    /// <summary>Loads every node's agent status, latest snapshot and open findings, and the last hour's sandbox failures; returns the nodes with history.</summary>
    public async Task<int> LoadAllAsync(CancellationToken cancellationToken)
    {
        foreach (var row in await nodes.GetAllAsync(cancellationToken)) fleet.SetAgent(row.Name, StatusOf(row));

        var latest = await snapshots.GetLatestForAllNodesAsync(cancellationToken);
        foreach (var content in latest) fleet.SetLatest(content.Header.Node, content);

        var open = (await findings.GetOpenAsync(cancellationToken)).ToLookup(f => f.Node, StringComparer.Ordinal);
        foreach (var node in fleet.All.Select(n => n.Name).Union(open.Select(g => g.Key), StringComparer.Ordinal).ToArray())
            fleet.SetFindings(node, open[node].Select(f => f.Finding).ToArray());

        await ReloadSandboxActivityAsync(cancellationToken);
        return latest.Count;
    }

    /// <summary>Re-reads <paramref name="names"/>' agent status, latest snapshot (when another is stored) and open findings.</summary>
    public async Task RefreshNodesAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        if (names.Count == 0) return;
        var wanted = names.ToHashSet(StringComparer.Ordinal);
        foreach (var row in await nodes.GetAllAsync(cancellationToken))
        {
            if (!wanted.Contains(row.Name)) continue;
            fleet.SetAgent(row.Name, StatusOf(row));
            if (row.LatestSnapshotId is { } id && fleet.Get(row.Name)?.Latest?.Header.Id != id
                && await snapshots.GetContentAsync(row.Name, id, cancellationToken) is { } content)
                fleet.SetLatest(row.Name, content);
            var open = await findings.GetForNodeAsync(row.Name, includeResolved: false, FindingsPerNode, cancellationToken);
            fleet.SetFindings(row.Name, open.Select(f => f.Finding).ToArray());
        }
    }

    /// <summary>Replaces the sandbox failure counters with the store's last hour.</summary>
    public async Task ReloadSandboxActivityAsync(CancellationToken cancellationToken) =>
        activity.Replace(await sandboxEvents.GetIncrementsAsync(time.GetUtcNow() - SandboxActivity.Window, cancellationToken));

    private static AgentStatus StatusOf(NodeRow row) => new()
    {
        State = row.AgentState,
        StaleSince = row.StaleSince,
        Reason = row.StaleReason,
        LastSeenAt = row.LastSeenAt,
        Version = row.AgentVersion,
    };
}
