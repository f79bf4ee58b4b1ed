using System.Globalization;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Audit;
using CniDashboard.Shared.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CniDashboard.Server.Api;

/// <summary><c>/api/v1/audit</c>: the log, one entry, verification, the checkpoint, and the streamed export.</summary>
internal static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").WithTags("Audit");

        audit.MapGet("", async Task<Results<Ok<AuditPage>, ProblemHttpResult>> (HttpRequest request, IAuditQueries queries, CancellationToken ct) =>
        {
            var query = Query(request) with
            {
                BeforeSequence = ApiParsing.Long(request.Query[AuditQuery.Keys.Before], AuditQuery.Keys.Before, 1),
                Limit = ApiParsing.Int(request.Query[AuditQuery.Keys.Limit], AuditQuery.Keys.Limit, AuditQuery.DefaultLimit, 1, AuditQueries.MaxPageSize),
            };
            return TypedResults.Ok(await queries.GetPageAsync(query, ct));
        }).WithSummary("Entries newest first, filtered (actor, action, targetKind, target, outcome, from, to); page with before=<nextBefore>.");

        audit.MapGet("/{sequence:long}", async Task<Results<Ok<AuditEntry>, ProblemHttpResult>> (long sequence, IAuditQueries queries, CancellationToken ct) =>
            await queries.GetEntryAsync(sequence, ct) is { } entry
                ? TypedResults.Ok(entry)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Entry not found", detail: $"The audit log has no entry {sequence}."))
            .WithSummary("One entry with its details and hashes.");

        audit.MapGet("/facets", async (IAuditQueries queries, CancellationToken ct) => TypedResults.Ok(await queries.GetFacetsAsync(ct)))
            .WithSummary("The actions and target kinds present, for filters.");

        audit.MapGet("/verify", async (IAuditQueries queries, CancellationToken ct) => TypedResults.Ok(await queries.VerifyAsync(ct)))
            .WithSummary("Walks the chain, compares it with the signed checkpoint in the cluster, reports the first sequence number that disagrees (recorded as audit.verified).")
            .RequireAuthorization(DashboardPolicies.Administer);

        audit.MapGet("/checkpoint", async (IAuditCheckpointStore store, AuditCheckpointSigner signer, CancellationToken ct) =>
        {
            var reading = await store.ReadAsync(ct);
            return TypedResults.Ok(new CheckpointView(reading.Checkpoint, reading.Source, reading.Error ?? reading.Malformed, signer.KeyId, signer.PublicKeyPem));
        }).WithSummary("The signed checkpoint in the cluster and the public key it must verify with.");

        audit.MapGet("/export", async (HttpContext context, IAuditReader reader, IAuditCheckpointStore store, AuditCheckpointSigner signer,
            IAuditLog log, ICurrentUser currentUser, TimeProvider time, CancellationToken ct) =>
        {
            var request = context.Request;
            var format = (string?)request.Query["format"] ?? "json";
            if (format is not ("csv" or "json")) throw new BadParameterException($"'format' must be csv or json (got '{format}').");
            var filter = Query(request);
            var caller = await currentUser.GetAsync(ct);
            var filterValues = filter.FilterParameters();
            // Recorded before anything is sent: when the entry cannot be written, there is no export.
            await log.AppendAsync(caller.Record(AuditActions.Exported, new AuditTarget("audit-log", format), AuditOutcome.Ok, new System.Text.Json.Nodes.JsonObject
            {
                ["format"] = format,
                ["filter"] = new System.Text.Json.Nodes.JsonObject([.. filterValues.Where(f => f.Value is not null).Select(f => KeyValuePair.Create(f.Key, (System.Text.Json.Nodes.JsonNode?)f.Value))]),
            }), ct);

            var now = time.GetUtcNow();
            var header = new AuditExportHeader(now, filterValues, await store.ReadAsync(ct), signer.KeyId, signer.PublicKeyPem);
            var name = $"cni-dashboard-audit-{now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.{format}";
            var response = context.Response;
            response.ContentType = format == "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
            response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
            response.Headers.CacheControl = "no-store";
            var entries = reader.ReadAsync(filter, ct);
            if (format == "csv") await AuditExporter.WriteCsvAsync(response.Body, entries, header, ct);
            else await AuditExporter.WriteJsonAsync(response.Body, entries, header, ct);
        }).WithSummary("The filtered log, oldest first, as format=csv or format=json, streamed, with the signed checkpoint and its public key (recorded as audit.exported).")
          .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/json"]);

        return api;
    }

    private static AuditQuery Query(HttpRequest request)
    {
        var q = request.Query;
        static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        var from = ApiParsing.Time(q[AuditQuery.Keys.From], AuditQuery.Keys.From);
        var to = ApiParsing.Time(q[AuditQuery.Keys.To], AuditQuery.Keys.To);
        if (from is not null && to is not null && to <= from) throw new BadParameterException($"'{AuditQuery.Keys.To}' must be after '{AuditQuery.Keys.From}'.");
        return new AuditQuery
        {
            Actor = Text(q[AuditQuery.Keys.Actor]),
            Action = Text(q[AuditQuery.Keys.Action]),
            TargetKind = Text(q[AuditQuery.Keys.TargetKind]),
            Target = Text(q[AuditQuery.Keys.Target]),
            Outcome = ApiParsing.OneOf(q[AuditQuery.Keys.Outcome], AuditQuery.Keys.Outcome, AuditOutcomes.All),
            From = from,
            To = to,
        };
    }
}

/// <summary>The checkpoint in the cluster and the key it must verify with.</summary>
/// <param name="Checkpoint">The checkpoint, or null.</param>
/// <param name="Source">Where it is kept.</param>
/// <param name="Error">Why none was read.</param>
/// <param name="KeyId">The signing key's id.</param>
/// <param name="PublicKey">The signing key's public half (PEM).</param>
public sealed record CheckpointView(AuditCheckpoint? Checkpoint, string Source, string? Error, string KeyId, string PublicKey);
