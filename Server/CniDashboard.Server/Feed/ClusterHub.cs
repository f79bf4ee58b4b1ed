using CniDashboard.Shared.Dashboard;
using Microsoft.AspNetCore.SignalR;

namespace CniDashboard.Server.Feed;

/// <summary>
/// <c>/hubs/cluster</c>: the change feed for other tools. Call the streaming method
/// <c>StreamChanges</c> to receive the same batches the UI gets.
/// </summary>
public sealed class ClusterHub(IClusterChangeFeed feed) : Hub
{
    /// <summary>The hub's path.</summary>
    public const string Path = "/hubs/cluster";

    /// <summary>Batches of changes from now on, until the caller stops the stream or disconnects.</summary>
    public IAsyncEnumerable<IReadOnlyList<ClusterChange>> StreamChanges(CancellationToken cancellationToken) => feed.SubscribeAsync(cancellationToken);
}
