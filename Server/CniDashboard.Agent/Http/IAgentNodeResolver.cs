using System.Collections.Concurrent;
using System.Net;
using CniDashboard.Agent.Node;

namespace CniDashboard.Agent.Http;

/// <summary>Picks the node a request is for.</summary>
public interface IAgentNodeResolver
{
    /// <summary>The node agent that serves this request, or null (answered with 404 <c>unknown-node</c>).</summary>
    NodeAgent? Resolve(HttpContext context);

    /// <summary>Every node served (for <c>/readyz</c>).</summary>
    IEnumerable<NodeAgent> Nodes { get; }
}

/// <summary>A real node: one agent for every request.</summary>
public sealed class SingleNodeResolver(NodeAgent node) : IAgentNodeResolver
{
    /// <inheritdoc />
    public NodeAgent? Resolve(HttpContext context) => node;

    /// <inheritdoc />
    public IEnumerable<NodeAgent> Nodes => [node];
}

/// <summary>
/// A simulated cluster: one Kestrel listening on many loopback addresses (each node's pod IP);
/// a request goes to the node whose address it arrived on.
/// </summary>
public sealed class LocalAddressNodeResolver : IAgentNodeResolver
{
    private readonly ConcurrentDictionary<IPAddress, NodeAgent> _byAddress = new();

    /// <summary>Serves <paramref name="node"/> at <paramref name="address"/> (replacing any node there).</summary>
    public void Add(IPAddress address, NodeAgent node) => _byAddress[Normalize(address)] = node;

    /// <summary>Stops serving the node at <paramref name="address"/>; returns it so the caller can dispose it.</summary>
    public NodeAgent? Remove(IPAddress address) => _byAddress.TryRemove(Normalize(address), out var node) ? node : null;

    /// <inheritdoc />
    public NodeAgent? Resolve(HttpContext context) =>
        context.Connection.LocalIpAddress is { } local && _byAddress.TryGetValue(Normalize(local), out var node) ? node : null;

    /// <inheritdoc />
    public IEnumerable<NodeAgent> Nodes => _byAddress.Values;

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
