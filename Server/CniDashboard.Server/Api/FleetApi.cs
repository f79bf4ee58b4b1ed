using CniDashboard.Server.Options;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Fleet;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Api;

/// <summary><c>/api/v1/fleet</c> and <c>/api/v1/clusters/{cluster}/nodes</c>: every cluster in the store (issue 14).</summary>
internal static class FleetApi
{
    public static RouteGroupBuilder MapFleetApi(this RouteGroupBuilder api)
    {
        api.MapGet("/fleet", async (IFleetQueries q, CancellationToken ct) => TypedResults.Ok(await q.GetOverviewAsync(ct)))
            .WithTags("Fleet").WithSummary("Every cluster in the store, worst first, and open findings by rule across clusters.");

        api.MapGet("/clusters/{cluster}/nodes", async Task<Results<Ok<FleetNodePage>, ProblemHttpResult>> (string cluster, IFleetQueries q, CancellationToken ct) =>
        {
            if (ClusterId.Problem(cluster, "cluster") is { } problem) throw new BadParameterException(problem);
            return await q.GetClusterNodesAsync(cluster, ct) is { } page
                ? TypedResults.Ok(page)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such cluster", detail: $"The store has no node of cluster '{cluster}'.");
        }).WithTags("Fleet").WithSummary("One cluster's nodes as its collector stored them, worst first (capped at Dashboard:Queries:MaxPageSize).");

        const string Node = "/clusters/{cluster}/nodes/{name}";
        var node = api.MapGroup("").WithTags("Fleet");
        node.MapGet(Node, async Task<Results<Ok<NodeDetail>, ProblemHttpResult>> (string cluster, string name, IFleetQueries q, CancellationToken ct) =>
            await Of(q, cluster).GetNodeAsync(name, ct) is { } detail ? TypedResults.Ok(detail) : NotFound(cluster, name))
            .WithSummary("One node of a cluster: files, primary, chain, findings, sandbox errors, agent status (another cluster's as its collector stored them).");

        node.MapGet(Node + "/snapshots", async Task<Results<Ok<SnapshotHistory>, ProblemHttpResult>> (
            string cluster, string name, string? limit, IFleetQueries q, IOptions<DashboardOptions> options, CancellationToken ct) =>
        {
            var queries = Of(q, cluster);
            if (await queries.GetNodeAsync(name, ct) is null) return NotFound(cluster, name);
            return TypedResults.Ok(await queries.GetHistoryAsync(name, ApiParsing.Int(limit, "limit", 50, 1, options.Value.Queries.MaxHistory), ct));
        }).WithSummary("A node's snapshots in which something changed, newest first.");

        node.MapGet(Node + "/diff", async Task<Results<Ok<FolderDiff>, ProblemHttpResult>> (
            string cluster, string name, string? against, string? file, IFleetQueries q, CancellationToken ct) =>
        {
            ApiParsing.FileName(file, "file");
            var queries = Of(q, cluster);
            if (await queries.GetNodeAsync(name, ct) is not { } detail) return NotFound(cluster, name);
            var left = NodeApi.DiffAgainst(name, detail.Summary.NodeGroup, against);
            return TypedResults.Ok(await queries.GetDiffAsync(new DiffRequest(left, DiffSide.Latest(name), file), ct));
        }).WithSummary("A node's latest files against: previous (default), baseline, or latest:NODE / snapshot:NODE:ID (nodes of the same cluster).");

        api.MapGet("/clusters/{cluster}/remediation/plans", async (string cluster, string? state, string? node, int? limit, IFleetQueries q, CancellationToken ct) =>
        {
            if (ClusterId.Problem(cluster, "cluster") is { } problem) throw new BadParameterException(problem);
            return TypedResults.Ok(await q.GetClusterPlansAsync(cluster, RemediationApi.ListQuery(state, node, limit), ct));
        }).WithTags("Fleet").WithSummary("A cluster's remediation plans, newest first, to read (its own collector runs them).");
        return api;
    }

    /// <summary>The cluster's read model; a bad id is a 400.</summary>
    private static IDashboardQueries Of(IFleetQueries q, string cluster) =>
        q.QueriesFor(cluster) ?? throw new BadParameterException(ClusterId.Problem(cluster, "cluster") ?? $"'cluster' is not a cluster id.");

    private static ProblemHttpResult NotFound(string cluster, string node) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Node not found", detail: $"Cluster '{cluster}' has no node named '{node}' in the store.");
}
