namespace CniDashboard.Client.Model;

/// <summary>
/// Addresses of the fleet's pages (issue 14): <c>fleet</c>, <c>clusters/{id}</c>, <c>clusters/{id}/nodes</c>,
/// <c>clusters/{id}/nodes/{node}</c>, <c>clusters/{id}/remediation</c>.
/// The unprefixed pages (<c>/</c>, <c>/nodes</c>, …) stay those of the cluster this dashboard collects itself.
/// </summary>
public static class ClusterLinks
{
    /// <summary>The fleet overview: every cluster, worst first.</summary>
    public const string Fleet = "fleet";

    private const string Prefix = "clusters/";

    /// <summary>A cluster's page (its nodes, from the store).</summary>
    public static string Cluster(string id) => Prefix + Uri.EscapeDataString(id);

    /// <summary>A cluster's nodes, worst first.</summary>
    public static string Nodes(string id) => Cluster(id) + "/nodes";

    /// <summary>One node of a cluster: its files, history, diffs, findings and sandbox errors.</summary>
    public static string Node(string id, string node) => Nodes(id) + "/" + Uri.EscapeDataString(node);

    /// <summary>A cluster's remediation plans, to read.</summary>
    public static string Plans(string id) => Cluster(id) + "/remediation";

    /// <summary>Where choosing a cluster in the switcher goes: the live pages for the local cluster, its cluster page otherwise.</summary>
    public static string Target(string id, string local) => id == local ? Links.Overview : Cluster(id);

    /// <summary>
    /// Which cluster a page (a path relative to the base, e.g. <c>clusters/prod-eu-1/nodes</c>) is about:
    /// the id in a <c>clusters/…</c> path, null on the fleet overview, the local cluster anywhere else.
    /// </summary>
    public static string? Selected(string relativePath, string local)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var path = relativePath.Split('?', '#')[0].Trim('/');
        if (path == Fleet) return null;
        if (!path.StartsWith(Prefix, StringComparison.Ordinal)) return local;
        var id = path[Prefix.Length..].Split('/')[0];
        return id.Length == 0 ? local : Uri.UnescapeDataString(id);
    }
}
