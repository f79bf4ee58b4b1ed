using System.Collections.Concurrent;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Cluster;

/// <summary>Each watch's health: up or down since when, the last error, and whether it ever synced.</summary>
public sealed class WatchHealthRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _watches = new(StringComparer.Ordinal);

    /// <summary>Raised when a watch goes up or down.</summary>
    public event Action<WatchHealth>? Changed;

    /// <summary>Adds a watch, down until it lists.</summary>
    public void Register(string resource) =>
        _watches.TryAdd(resource, new Entry(new WatchHealth(resource, false, time.GetUtcNow(), "not started"), false));

    /// <summary>The watch listed everything and is current.</summary>
    public void MarkSynced(string resource) => Set(resource, true, null, synced: true);

    /// <summary>The watch is connected.</summary>
    public void MarkUp(string resource) => Set(resource, true, null, synced: false);

    /// <summary>The watch failed.</summary>
    public void MarkDown(string resource, string error) => Set(resource, false, error, synced: false);

    /// <summary>Every watch, by name.</summary>
    public IReadOnlyList<WatchHealth> Snapshot() => _watches.Values.Select(e => e.Health).OrderBy(h => h.Resource, StringComparer.Ordinal).ToArray();

    /// <summary>True when every registered watch has listed at least once.</summary>
    public bool AllSynced => !_watches.IsEmpty && _watches.Values.All(e => e.EverSynced);

    private void Set(string resource, bool healthy, string? error, bool synced)
    {
        WatchHealth? raised = null;
        _watches.AddOrUpdate(
            resource,
            _ =>
            {
                raised = new WatchHealth(resource, healthy, time.GetUtcNow(), error);
                return new Entry(raised, synced);
            },
            (_, old) =>
            {
                var changed = old.Health.Healthy != healthy || old.Health.Error != error;
                var health = changed ? new WatchHealth(resource, healthy, time.GetUtcNow(), error) : old.Health;
                if (changed) raised = health;
                return new Entry(health, old.EverSynced || synced);
            });
        if (raised is not null) Changed?.Invoke(raised);
    }

    private sealed record Entry(WatchHealth Health, bool EverSynced);
}
