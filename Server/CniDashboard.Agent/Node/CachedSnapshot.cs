using CniDashboard.Shared.Agent;

namespace CniDashboard.Agent.Node;

/// <summary>A snapshot as served: the model, its strong ETag and its JSON, serialized once.</summary>
public sealed class CachedSnapshot
{
    internal CachedSnapshot(NodeSnapshot snapshot, byte[] json, long version)
    {
        Snapshot = snapshot;
        Json = json;
        Version = version;
        ETag = "\"" + snapshot.ManifestHash + "\"";
    }

    /// <summary>The snapshot.</summary>
    public NodeSnapshot Snapshot { get; }

    /// <summary>The quoted strong ETag (<c>"&lt;manifest hash&gt;"</c>).</summary>
    public string ETag { get; }

    /// <summary>The UTF-8 JSON body served for <c>GET /v1/snapshot</c>.</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>The invalidation count it was built at.</summary>
    internal long Version { get; }
}
