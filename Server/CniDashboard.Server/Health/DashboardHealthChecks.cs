using CniDashboard.Server.Cluster;
using CniDashboard.Server.Store;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CniDashboard.Server.Health;

/// <summary>The store is migrated and loaded.</summary>
public sealed class StoreHealthCheck(StoreInitializer store) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(store.Ready ? HealthCheckResult.Healthy("store open") : HealthCheckResult.Unhealthy("store not open yet (migrating or loading)"));
}

/// <summary>
/// Which Kubernetes watch is down and since when. Unhealthy until every watch has listed once
/// (the dashboard does not know the cluster yet); Degraded while one is reconnecting (what it shows
/// is still right up to that moment, and the watch resumes without losing events).
/// </summary>
public sealed class WatchHealthCheck(WatchHealthRegistry watches) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var all = watches.Snapshot();
        var data = all.ToDictionary(w => w.Resource, w => (object)(w.Healthy ? $"up since {w.Since:u}" : $"down since {w.Since:u}: {w.Error}"));
        var down = all.Where(w => !w.Healthy).ToArray();
        var description = down.Length == 0 ? $"{all.Count} watches up" : string.Join("; ", down.Select(w => $"{w.Resource} down since {w.Since:u} ({w.Error})"));
        var result = !watches.AllSynced ? HealthCheckResult.Unhealthy($"not every watch has listed yet; {description}", data: data)
            : down.Length > 0 ? HealthCheckResult.Degraded(description, data: data)
            : HealthCheckResult.Healthy(description, data);
        return Task.FromResult(result);
    }
}

/// <summary>
/// Which replica leads, in <c>/readyz</c>'s data: always healthy, since a follower serves the UI and
/// the API as well as the leader (it is ready without leading).
/// </summary>
public sealed class LeadershipHealthCheck(Leadership.ReplicaLeadership leadership) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["replica"] = leadership.Identity,
            ["leader"] = leadership.Leader ?? "",
            ["isLeader"] = leadership.IsLeader,
            ["elects"] = leadership.Elects,
        };
        var description = !leadership.Elects ? "one replica (SQLite): it leads"
            : leadership.IsLeader ? $"{leadership.Identity} leads (this replica)"
            : $"{leadership.Identity} follows; leader: {leadership.Leader ?? "not known yet"}";
        return Task.FromResult(HealthCheckResult.Healthy(description, data));
    }
}
