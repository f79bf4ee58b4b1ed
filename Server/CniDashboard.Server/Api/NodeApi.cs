using CniDashboard.Server.Options;
using CniDashboard.Server.Queries;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Dashboard;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Api;

/// <summary><c>/api/v1/nodes</c>: the fleet, one node, its history, files and findings.</summary>
internal static class NodeApi
{
    public static RouteGroupBuilder MapNodeApi(this RouteGroupBuilder api)
    {
        var nodes = api.MapGroup("/nodes").WithTags("Nodes");

        nodes.MapGet("/", async Task<Results<Ok<NodePage>, ProblemHttpResult>> (
            IDashboardQueries queries, IOptions<DashboardOptions> options, string? search, string? severity, string? healthy, string? nodeGroup,
            string? rule, string? stale, string? sort, string? desc, string? offset, string? limit, CancellationToken ct) =>
        {
            var query = new NodeQuery
            {
                Search = search,
                Severity = ApiParsing.Enum<Severity>(severity, "severity"),
                OnlyHealthy = ApiParsing.Bool(healthy, "healthy"),
                NodeGroup = nodeGroup,
                Rule = rule,
                Stale = ApiParsing.Bool(stale, "stale"),
                Sort = ApiParsing.Enum<NodeSort>(sort, "sort") ?? NodeSort.Severity,
                Descending = ApiParsing.Bool(desc, "desc") ?? true,
                Offset = ApiParsing.Int(offset, "offset", 0, 0, int.MaxValue),
                Limit = ApiParsing.Int(limit, "limit", 100, 1, options.Value.Queries.MaxPageSize),
            };
            return TypedResults.Ok(await queries.GetNodesAsync(query, ct));
        }).WithSummary("Nodes, filtered (severity, node group, rule, stale), sorted and paged.");

        nodes.MapGet("/facets", async (IDashboardQueries queries, CancellationToken ct) => TypedResults.Ok(await queries.GetNodeFacetsAsync(ct)))
            .WithSummary("Node groups and rules present, for filter pickers.");

        nodes.MapGet("/{name}", async Task<Results<Ok<NodeDetail>, ProblemHttpResult>> (string name, IDashboardQueries queries, CancellationToken ct) =>
            await queries.GetNodeAsync(name, ct) is { } detail ? TypedResults.Ok(detail) : NotFound(name))
            .WithSummary("One node: files, primary, chain, findings, sandbox errors, agent status.");

        nodes.MapGet("/{name}/snapshots", async Task<Results<Ok<SnapshotHistory>, ProblemHttpResult>> (
            string name, string? limit, IDashboardQueries queries, NodeSummaries summaries, IOptions<DashboardOptions> options, CancellationToken ct) =>
        {
            if (summaries.One(name) is null) return NotFound(name);
            var n = ApiParsing.Int(limit, "limit", 50, 1, options.Value.Queries.MaxHistory);
            return TypedResults.Ok(await queries.GetHistoryAsync(name, n, ct));
        }).WithSummary("A node's snapshots in which something changed, newest first.");

        nodes.MapGet("/{name}/snapshots/{id:long}", async Task<Results<Ok<SnapshotView>, ProblemHttpResult>> (
            string name, long id, ISnapshotRepository snapshots, NodeSummaries summaries, CancellationToken ct) =>
        {
            if (summaries.One(name) is null) return NotFound(name);
            var content = await snapshots.GetContentAsync(name, id, ct);
            return content is null
                ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Snapshot not found", detail: $"Node {name} has no snapshot {id} (unknown or pruned).")
                : TypedResults.Ok(new SnapshotView(content.Header, content.Files, content.Binaries));
        }).WithSummary("One stored snapshot with its files (content as stored: redacted).");

        nodes.MapGet("/{name}/snapshots/{id:long}/files/{file}", async Task<Results<Ok<CniFolderFile>, ContentHttpResult, ProblemHttpResult>> (
            string name, long id, string file, string? raw, ISnapshotRepository snapshots, NodeSummaries summaries, CancellationToken ct) =>
        {
            ApiParsing.FileName(file, "file");
            if (summaries.One(name) is null) return NotFound(name);
            var entry = await snapshots.GetFileAsync(name, id, file, ct);
            if (entry is null)
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "File not found", detail: $"Snapshot {id} of node {name} has no file {file}.");
            if (ApiParsing.Bool(raw, "raw") == true)
            {
                return entry.Content is null
                    ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No content", detail: $"The content of {file} was not captured ({entry.ContentOmitted}).")
                    : TypedResults.Text(entry.Content, "text/plain; charset=utf-8");
            }

            return TypedResults.Ok(entry);
        }).WithSummary("One file of a snapshot (JSON with metadata, or ?raw=true for the text).");

        nodes.MapGet("/{name}/findings", async Task<Results<Ok<IReadOnlyList<FindingRecord>>, ProblemHttpResult>> (
            string name, string? includeResolved, string? limit, IFindingRepository findings, NodeSummaries summaries, CancellationToken ct) =>
        {
            var all = ApiParsing.Bool(includeResolved, "includeResolved") ?? false;
            var n = ApiParsing.Int(limit, "limit", 200, 1, 5000);
            if (summaries.One(name) is null) return NotFound(name);
            return TypedResults.Ok(await findings.GetForNodeAsync(name, all, n, ct));
        }).WithSummary("A node's findings with open/resolved times (open only unless includeResolved=true).");

        nodes.MapGet("/{name}/diff", async Task<Results<Ok<FolderDiff>, ProblemHttpResult>> (
            string name, string? against, string? file, IDashboardQueries queries, NodeSummaries summaries, CancellationToken ct) =>
        {
            ApiParsing.FileName(file, "file");
            if (summaries.One(name) is not { } row) return NotFound(name);
            var left = DiffAgainst(name, row.Summary.NodeGroup, against);
            return TypedResults.Ok(await queries.GetDiffAsync(new DiffRequest(left, DiffSide.Latest(name), file), ct));
        }).WithSummary("A node's latest files against: previous (default), baseline, or latest:NODE / snapshot:NODE:ID / baseline:GROUP.");

        return api;
    }

    /// <summary>The left side of a node's diff from <c>?against=</c>: previous (default), baseline (its group's), or a side spelled out.</summary>
    public static DiffSide DiffAgainst(string name, string? nodeGroup, string? against) => against switch
    {
        null or "" or "previous" => DiffSide.PreviousOf(name),
        "baseline" when nodeGroup is { } group => DiffSide.Baseline(group),
        "baseline" => throw new BadParameterException($"Node {name} has no node group, so it has no baseline."),
        _ => ApiParsing.Side(against, "against"),
    };

    public static ProblemHttpResult NotFound(string node) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Node not found", detail: $"The dashboard has never seen a node named '{node}'.");
}

/// <summary>A stored snapshot with its files.</summary>
/// <param name="Snapshot">The header.</param>
/// <param name="Files">Entries, content redacted.</param>
/// <param name="Binaries">Plugin binaries, when known.</param>
public sealed record SnapshotView(StoredSnapshot Snapshot, IReadOnlyList<CniFolderFile> Files, IReadOnlyList<PluginBinary>? Binaries);
