using CniDashboard.Server.Options;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Analysis;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Fleet;

/// <summary>
/// Sandbox failures of the last hour in memory, for the per-node counts on the Nodes page and the
/// cluster facts the analyzer gets. Capped; the store holds the full history.
/// </summary>
public sealed class SandboxActivity(TimeProvider time, IOptions<DashboardOptions> options)
{
    /// <summary>How far back the counters look.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private readonly Lock _lock = new();
    private readonly Queue<SandboxIncrement> _recent = new();
    private readonly int _cap = options.Value.Queries.MaxRecentSandboxIncrements;

    private long _version;

    /// <summary>Bumped on every recorded failure.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>True when increments were dropped because of the cap.</summary>
    public bool Truncated { get; private set; }

    /// <summary>Records failures.</summary>
    public void Record(SandboxIncrement increment)
    {
        lock (_lock)
        {
            _recent.Enqueue(increment);
            _version++;
            while (_recent.Count > _cap)
            {
                _recent.Dequeue();
                Truncated = true;
            }
        }
    }

    /// <summary>Replaces every recorded failure with <paramref name="increments"/> (the store's, re-read by a follower).</summary>
    public void Replace(IReadOnlyList<SandboxIncrement> increments)
    {
        ArgumentNullException.ThrowIfNull(increments);
        lock (_lock)
        {
            _recent.Clear();
            Truncated = false;
            foreach (var increment in increments.OrderBy(i => i.At))
            {
                _recent.Enqueue(increment);
                if (_recent.Count > _cap)
                {
                    _recent.Dequeue();
                    Truncated = true;
                }
            }

            _version++;
        }
    }

    /// <summary>Failures in the last hour per node.</summary>
    public IReadOnlyDictionary<string, int> CountsByNode()
    {
        var since = Prune();
        lock (_lock)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var i in _recent)
            {
                if (i.At >= since) counts[i.Node] = counts.GetValueOrDefault(i.Node) + i.Delta;
            }

            return counts;
        }
    }

    /// <summary>Failures in the last hour.</summary>
    public int Total()
    {
        var since = Prune();
        lock (_lock) return _recent.Where(i => i.At >= since).Sum(i => i.Delta);
    }

    /// <summary>Failures in the last hour on a node, by plugin type.</summary>
    public IReadOnlyDictionary<string, int> ByPlugin(string node)
    {
        var since = Prune();
        lock (_lock)
        {
            return _recent.Where(i => i.Node == node && i.At >= since && i.PluginType is not null)
                .GroupBy(i => i.PluginType!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Sum(i => i.Delta), StringComparer.Ordinal);
        }
    }

    /// <summary>The analyzer's view: failures on the node in the last hour, grouped by plugin and class.</summary>
    public IReadOnlyList<ContextSandboxError> ForContext(string node)
    {
        var since = Prune();
        lock (_lock)
        {
            return _recent.Where(i => i.Node == node && i.At >= since)
                .GroupBy(i => (i.PluginType, i.ErrorClass))
                .Select(g => new ContextSandboxError
                {
                    PluginType = g.Key.PluginType,
                    ErrorClass = g.Key.ErrorClass,
                    Count = g.Sum(i => i.Delta),
                    LastSeen = g.Max(i => i.At),
                })
                .OrderByDescending(e => e.Count)
                .ToArray();
        }
    }

    /// <summary>Sandbox failures recorded on <paramref name="node"/> at or after <paramref name="since"/> (within the last hour).</summary>
    public int CountSince(string node, DateTimeOffset since)
    {
        var from = Prune();
        if (since > from) from = since;
        lock (_lock) return _recent.Where(i => i.Node == node && i.At >= from).Sum(i => i.Delta);
    }

    private DateTimeOffset Prune()
    {
        var since = time.GetUtcNow() - Window;
        lock (_lock)
        {
            // Increments arrive roughly in time order; anything far behind the head goes with it.
            while (_recent.TryPeek(out var head) && head.At < since) _recent.Dequeue();
        }

        return since;
    }
}
