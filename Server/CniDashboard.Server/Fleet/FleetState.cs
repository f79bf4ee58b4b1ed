using System.Collections.Concurrent;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Fleet;

/// <summary>
/// Every node's files, agent status and open findings, in memory and in step with the store, so
/// the Nodes page never reads SQLite. Each node's state is an immutable <see cref="NodeRuntime"/>
/// replaced atomically.
/// </summary>
public sealed class FleetState
{
    private readonly ConcurrentDictionary<string, NodeRuntime> _nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _contents = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>Bumped on every change; cheap staleness check for caches.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Every node the store knows.</summary>
    public IEnumerable<NodeRuntime> All => _nodes.Values;

    /// <summary>A node, or null.</summary>
    public NodeRuntime? Get(string name) => _nodes.GetValueOrDefault(name);

    /// <summary>Replaces a node's state with <paramref name="update"/> applied to it.</summary>
    public NodeRuntime Update(string name, Func<NodeRuntime, NodeRuntime> update)
    {
        var result = _nodes.AddOrUpdate(name, n => update(new NodeRuntime { Name = n }), (_, old) => update(old));
        Interlocked.Increment(ref _version);
        return result;
    }

    /// <summary>Sets a node's agent status.</summary>
    public NodeRuntime SetAgent(string name, AgentStatus status) => Update(name, n => n with { Agent = status });

    /// <summary>Sets a node's latest snapshot (content strings shared between nodes with equal files).</summary>
    public NodeRuntime SetLatest(string name, SnapshotContent latest)
    {
        var files = latest.Files.Select(f => f.Content is null ? f : f with { Content = Intern(f.Content) }).ToArray();
        var content = latest with { Files = files };
        var chain = new Lazy<IReadOnlyList<ChainPlugin>>(() => ChainPlugin.Of(files));
        return Update(name, n => n with { Latest = content, ChainSource = chain });
    }

    /// <summary>Sets a node's open findings.</summary>
    public NodeRuntime SetFindings(string name, IReadOnlyList<Finding> findings) =>
        Update(name, n => n with { Findings = findings.OrderByDescending(f => f.Severity).ThenBy(f => f.Rule, StringComparer.Ordinal).ToArray() });

    /// <summary>Drops interned texts no node holds any more.</summary>
    public void TrimContentCache()
    {
        var live = _nodes.Values.SelectMany(n => n.Latest?.Files ?? []).Select(f => f.Content).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var key in _contents.Keys)
        {
            if (!live.Contains(key)) _contents.TryRemove(key, out _);
        }
    }

    private string Intern(string content) => _contents.GetOrAdd(content, content);
}
