using CniDashboard.Server.Fleet;
using CniDashboard.Server.Options;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Sandbox;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Api;

/// <summary><c>/api/v1</c>: status, overview, diffs, findings, sandbox errors, DaemonSets.</summary>
internal static class ClusterApi
{
    public static RouteGroupBuilder MapClusterApi(this RouteGroupBuilder api)
    {
        api.MapGet("/status", async (IDashboardQueries q, CancellationToken ct) => TypedResults.Ok(await q.GetConnectionStatusAsync(ct)))
            .WithTags("Cluster").WithSummary("Cluster name, watch health, last poll.");

        api.MapGet("/overview", async (IDashboardQueries q, CancellationToken ct) => TypedResults.Ok(await q.GetOverviewAsync(ct)))
            .WithTags("Cluster").WithSummary("Nodes by health, top findings, DaemonSets, recent changes.");

        api.MapGet("/daemonsets", async (IDashboardQueries q, CancellationToken ct) => TypedResults.Ok(await q.GetDaemonSetsAsync(ct)))
            .WithTags("Cluster").WithSummary("CNI DaemonSets and their rollouts (stuck ones flagged).");

        api.MapGet("/diff", async Task<Results<Ok<FolderDiff>, ProblemHttpResult>> (string? left, string? right, string? file, IDashboardQueries q, CancellationToken ct) =>
        {
            var request = new DiffRequest(ApiParsing.Side(left, "left"), ApiParsing.Side(right, "right"), ApiParsing.FileName(file, "file"));
            return TypedResults.Ok(await q.GetDiffAsync(request, ct));
        }).WithTags("Diff").WithSummary("Any two folders: left/right = latest:NODE, previous:NODE, snapshot:NODE:ID or baseline:GROUP.");

        api.MapGet("/findings", Results<Ok<IReadOnlyList<NodeFinding>>, ProblemHttpResult> (string? rule, string? severity, string? node, FleetState fleet) =>
        {
            var minimum = ApiParsing.Enum<Severity>(severity, "severity");
            IReadOnlyList<NodeFinding> list = fleet.All
                .Where(n => node is null || n.Name == node)
                .SelectMany(n => n.Findings.Select(f => new NodeFinding(n.Name, f)))
                .Where(x => (rule is null || x.Finding.Rule == rule) && (minimum is null || x.Finding.Severity >= minimum))
                .OrderByDescending(x => x.Finding.Severity).ThenBy(x => x.Node, StringComparer.Ordinal).ThenBy(x => x.Finding.Rule, StringComparer.Ordinal)
                .ToArray();
            return TypedResults.Ok(list);
        }).WithTags("Findings").WithSummary("Open findings across nodes (filter by rule, minimum severity, node).");

        api.MapGet("/sandbox-errors", async Task<Results<Ok<SandboxErrorReport>, ProblemHttpResult>> (
            string? window, string? node, string? plugin, string? errorClass, string? groupBy, string? stackBy, string? limit,
            IDashboardQueries q, IOptions<DashboardOptions> options, CancellationToken ct) =>
        {
            var query = new SandboxErrorQuery
            {
                Window = ApiParsing.Window(window, TimeSpan.FromHours(1), options.Value.Retention.Keep),
                Node = node,
                PluginType = plugin,
                ErrorClass = ApiParsing.Enum<SandboxErrorClass>(errorClass, "errorClass"),
                GroupBy = ApiParsing.Enum<SandboxGrouping>(groupBy, "groupBy") ?? SandboxGrouping.ErrorClass,
                StackBy = ApiParsing.Enum<SandboxGrouping>(stackBy, "stackBy") ?? SandboxGrouping.Plugin,
                Limit = ApiParsing.Int(limit, "limit", 200, 1, options.Value.Queries.MaxSandboxEvents),
            };
            return TypedResults.Ok(await q.GetSandboxErrorsAsync(query, ct));
        }).WithTags("Sandbox errors").WithSummary("FailedCreatePodSandBox errors: groups, timeline buckets, recent events with their config entry.");

        return api;
    }
}

/// <summary>An open finding and its node.</summary>
/// <param name="Node">Node.</param>
/// <param name="Finding">Finding.</param>
public sealed record NodeFinding(string Node, Finding Finding);
