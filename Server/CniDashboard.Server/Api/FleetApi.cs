using CniDashboard.Shared.Fleet;
using Microsoft.AspNetCore.Http.HttpResults;

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
        return api;
    }
}
