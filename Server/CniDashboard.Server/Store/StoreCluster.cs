using CniDashboard.Shared.Fleet;

namespace CniDashboard.Server.Store;

/// <summary>
/// The cluster whose rows a repository reads and writes (<c>cluster_id</c>): the process's own
/// (<c>Dashboard:Cluster:Id</c>) when it comes from DI, another one when the fleet view asks for it.
/// Every per-cluster query filters by it, so a repository never sees or touches another cluster's rows.
/// </summary>
public sealed record StoreCluster
{
    /// <summary>A scope for <paramref name="id"/>; throws on an id that is not a DNS label.</summary>
    public StoreCluster(string id)
    {
        if (!ClusterId.IsValid(id)) throw new ArgumentException(ClusterId.Problem(id, "cluster id"), nameof(id));
        Id = id;
    }

    /// <summary>The cluster's id.</summary>
    public string Id { get; }

    /// <summary>The default cluster (single-cluster installs, rows stored before clusters existed).</summary>
    public static StoreCluster Default { get; } = new(ClusterId.Default);

    /// <summary>The scope a repository uses: <paramref name="cluster"/>, or the default cluster when none is given.</summary>
    public static string IdOf(StoreCluster? cluster) => (cluster ?? Default).Id;
}
