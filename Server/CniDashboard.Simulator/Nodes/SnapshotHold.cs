using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http;

namespace CniDashboard.Simulator.Nodes;

/// <summary>A hold on one agent's snapshot requests (<see cref="AgentFleet.HoldSnapshots"/>).</summary>
public sealed class SnapshotHold : IDisposable
{
    private readonly TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action _remove;

    internal SnapshotHold(Action remove) => _remove = remove;

    /// <summary>Completes when a snapshot request arrived and is being held.</summary>
    public Task Requested => _requested.Task;

    /// <summary>Lets held and later requests through.</summary>
    public void Release()
    {
        _remove();
        _released.TrySetResult();
    }

    /// <inheritdoc />
    public void Dispose() => Release();

    internal async Task WaitAsync(CancellationToken cancellationToken)
    {
        _requested.TrySetResult();
        await _released.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The holds in place, by node, and the middleware that applies them.</summary>
internal sealed class SnapshotHolds(IReadOnlyList<SimulatedNode> nodes)
{
    private readonly Dictionary<IPAddress, string> _byAddress = nodes.ToDictionary(n => n.Address, n => n.Name);
    private readonly ConcurrentDictionary<string, SnapshotHold> _holds = new(StringComparer.Ordinal);

    public SnapshotHold Hold(string node)
    {
        SnapshotHold? hold = null;
        hold = new SnapshotHold(() => _holds.TryRemove(new KeyValuePair<string, SnapshotHold>(node, hold!)));
        if (!_holds.TryAdd(node, hold)) throw new InvalidOperationException($"node {node}'s snapshots are held already");
        return hold;
    }

    public async Task Middleware(HttpContext context, Func<Task> next)
    {
        if (!_holds.IsEmpty && context.Request.Path.StartsWithSegments("/v1/snapshot")
            && context.Connection.LocalIpAddress is { } local && _byAddress.TryGetValue(local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local, out var node)
            && _holds.TryGetValue(node, out var hold))
        {
            try
            {
                await hold.WaitAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // the caller went away (e.g. it was killed)
            }
        }

        await next().ConfigureAwait(false);
    }
}
