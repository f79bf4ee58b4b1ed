using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;
using CniDashboard.Agent.Auth;
using CniDashboard.Agent.Node;
using CniDashboard.Shared.Agent;
using Microsoft.Net.Http.Headers;

namespace CniDashboard.Agent.Http;

/// <summary>
/// The agent's HTTP API. Everything under <c>/v1</c> needs a bearer token; <c>/healthz</c> and
/// <c>/readyz</c> do not. Handlers are plain request delegates with source-generated JSON, so the
/// API is NativeAOT-safe and a host may serve any number of nodes through one resolver.
/// </summary>
public static class AgentEndpoints
{
    /// <summary>Largest request body accepted (content is capped at 256 KiB; JSON escaping may double it).</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    private const int MaxErrorMessageLength = 400;
    private const string JsonContentType = "application/json; charset=utf-8";
    private const string CallerItem = "cni-dashboard.caller";

    /// <summary>Maps <c>/healthz</c>, <c>/readyz</c> and the <c>/v1</c> API.</summary>
    public static IEndpointRouteBuilder MapAgentEndpoints(this IEndpointRouteBuilder endpoints, IAgentNodeResolver resolver, IAgentAuthenticator authenticator)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(authenticator);

        endpoints.MapGet("/healthz", (RequestDelegate)(context => WriteText(context, StatusCodes.Status200OK, "ok")));
        endpoints.MapGet("/readyz", (RequestDelegate)(async context =>
        {
            // Ready means a current snapshot can be served now: a folder that cannot be read, or a
            // read stuck past its deadline, takes the agent out of service until it recovers.
            var node = resolver.Resolve(context);
            var ready = node is null ? resolver.Nodes.Any() : await node.CheckReadyAsync(context.RequestAborted);
            await WriteText(context, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, ready ? "ready" : "not ready");
        }));

        endpoints.MapGet("/v1/snapshot", Guarded(resolver, authenticator, Snapshot));
        endpoints.MapGet("/v1/backups", Guarded(resolver, authenticator, Backups));
        endpoints.MapPost("/v1/files/{name}/apply", Guarded(resolver, authenticator, Apply));
        endpoints.MapPost("/v1/files/{name}/delete", Guarded(resolver, authenticator, Delete));
        endpoints.MapPost("/v1/files/{name}/restore", Guarded(resolver, authenticator, Restore));
        endpoints.MapPost("/v1/backups/{id}/pin", Guarded(resolver, authenticator, Pin));
        endpoints.MapPost("/v1/backups/{id}/unpin", Guarded(resolver, authenticator, Unpin));
        return endpoints;
    }

    /// <summary>The identity the request authenticated as (set for <c>/v1</c> handlers).</summary>
    public static string CallerOf(HttpContext context) => context.Items[CallerItem] as string ?? "unknown";

    private static RequestDelegate Guarded(IAgentNodeResolver resolver, IAgentAuthenticator authenticator, Func<HttpContext, NodeAgent, Task> handler) =>
        async context =>
        {
            var auth = await authenticator.AuthenticateAsync(BearerToken(context), context.RequestAborted);
            switch (auth.Status)
            {
                case AgentAuthStatus.Unauthenticated:
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await WriteError(context, StatusCodes.Status401Unauthorized, AgentErrorCodes.Unauthorized, auth.Detail ?? "a valid bearer token is required");
                    return;
                case AgentAuthStatus.Forbidden:
                    await WriteError(context, StatusCodes.Status403Forbidden, AgentErrorCodes.Forbidden, auth.Detail ?? "not allowed");
                    return;
                case AgentAuthStatus.Unavailable:
                    await WriteError(context, StatusCodes.Status503ServiceUnavailable, AgentErrorCodes.AuthUnavailable, auth.Detail ?? "the token could not be checked");
                    return;
            }
            context.Items[CallerItem] = auth.Identity ?? "unknown";

            if (resolver.Resolve(context) is not { } node)
            {
                await WriteError(context, StatusCodes.Status404NotFound, AgentErrorCodes.UnknownNode, "no node is served at this address");
                return;
            }
            await handler(context, node);
        };

    private static async Task Snapshot(HttpContext context, NodeAgent node)
    {
        CachedSnapshot snapshot;
        try
        {
            snapshot = await node.GetSnapshotAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await WriteError(context, StatusCodes.Status503ServiceUnavailable, AgentErrorCodes.FolderUnreadable, $"the CNI folder cannot be read: {ex.Message}");
            return;
        }
        catch (TimeoutException ex)
        {
            await WriteError(context, StatusCodes.Status503ServiceUnavailable, AgentErrorCodes.SnapshotTimeout, ex.Message);
            return;
        }

        var response = context.Response;
        response.Headers.ETag = snapshot.ETag;
        response.Headers.CacheControl = "no-cache";
        if (MatchesETag(context.Request.Headers.IfNoneMatch, snapshot.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = JsonContentType;
        response.ContentLength = snapshot.Json.Length;
        await response.Body.WriteAsync(snapshot.Json, context.RequestAborted);
    }

    private static async Task Backups(HttpContext context, NodeAgent node)
    {
        var backups = await node.ListBackupsAsync(context.RequestAborted);
        await WriteJson(context, StatusCodes.Status200OK, backups, AgentJsonContext.Wire.IReadOnlyListBackupInfo);
    }

    private static async Task Apply(HttpContext context, NodeAgent node)
    {
        var request = await ReadBody(context, AgentJsonContext.Wire.ApplyFileRequest);
        if (request is null) return;
        var outcome = await node.ApplyAsync(RouteName(context), request, CallerOf(context), context.RequestAborted);
        await WriteOutcome(context, outcome);
    }

    private static async Task Delete(HttpContext context, NodeAgent node)
    {
        var request = await ReadBody(context, AgentJsonContext.Wire.DeleteFileRequest);
        if (request is null) return;
        var outcome = await node.DeleteAsync(RouteName(context), request, CallerOf(context), context.RequestAborted);
        await WriteOutcome(context, outcome);
    }

    private static async Task Pin(HttpContext context, NodeAgent node)
    {
        var request = await ReadBody(context, AgentJsonContext.Wire.PinBackupRequest);
        if (request is null) return;
        await WriteOutcome(context, await node.PinBackupAsync(RouteValue(context, "id"), request, CallerOf(context), context.RequestAborted));
    }

    private static async Task Unpin(HttpContext context, NodeAgent node)
    {
        var request = await ReadBody(context, AgentJsonContext.Wire.PinBackupRequest);
        if (request is null) return;
        await WriteOutcome(context, await node.UnpinBackupAsync(RouteValue(context, "id"), request, CallerOf(context), context.RequestAborted));
    }

    private static async Task Restore(HttpContext context, NodeAgent node)
    {
        var request = await ReadBody(context, AgentJsonContext.Wire.RestoreFileRequest);
        if (request is null) return;
        var outcome = await node.RestoreAsync(RouteName(context), request, CallerOf(context), context.RequestAborted);
        await WriteOutcome(context, outcome);
    }

    /// <summary>
    /// The file name from the route, percent-decoded once more: the server leaves <c>%2F</c>
    /// encoded, and an encoded separator must be refused as a separator, not looked up as a name.
    /// </summary>
    private static string RouteName(HttpContext context) => RouteValue(context, "name");

    private static string RouteValue(HttpContext context, string key)
    {
        var raw = context.Request.RouteValues[key] as string ?? "";
        try
        {
            return Uri.UnescapeDataString(raw);
        }
        catch (UriFormatException)
        {
            return raw;
        }
    }

    private static async Task<T?> ReadBody<T>(HttpContext context, JsonTypeInfo<T> type) where T : class
    {
        // The host may be any Kestrel (a simulator's too): cap this endpoint's body here, not only in the server options.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxRequestBodyBytes;
        if (context.Request.ContentLength > MaxRequestBodyBytes)
        {
            await WriteError(context, StatusCodes.Status413PayloadTooLarge, AgentErrorCodes.InvalidRequest, $"the request body is larger than {MaxRequestBodyBytes} bytes");
            return null;
        }
        try
        {
            var value = await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted);
            if (value is not null) return value;
            await WriteError(context, StatusCodes.Status400BadRequest, AgentErrorCodes.InvalidRequest, "the request body is empty");
        }
        catch (JsonException ex)
        {
            await WriteError(context, StatusCodes.Status400BadRequest, AgentErrorCodes.InvalidRequest, $"the request body is not valid JSON for this request: {JsonProblem(ex)}");
        }
        catch (BadHttpRequestException ex)
        {
            await WriteError(context, ex.StatusCode, AgentErrorCodes.InvalidRequest, ex.Message);
        }
        return null;
    }

    /// <summary>
    /// What went wrong in a body, without the JSON path the serializer appends: property names are
    /// the caller's text, of any length. The position is enough to find the fault.
    /// </summary>
    private static string JsonProblem(JsonException ex)
    {
        var message = ex.Message;
        var path = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (path >= 0) message = message[..path];
        message = CniDashboard.Shared.Kubeconfig.TokenRedactor.Redact(message.Length > 200 ? message[..200] + "…" : message);
        return ex.LineNumber is { } line ? $"{message} (line {line + 1}, byte {ex.BytePositionInLine + 1})" : message;
    }

    private static Task WriteOutcome(HttpContext context, FileChangeOutcome outcome) =>
        outcome.Result is { } result
            ? WriteJson(context, outcome.StatusCode, result, AgentJsonContext.Wire.FileChangeResult)
            : WriteJson(context, outcome.StatusCode, Capped(outcome.Error!), AgentJsonContext.Wire.AgentError);

    private static Task WriteOutcome(HttpContext context, BackupOutcome outcome) =>
        outcome.Backup is { } backup
            ? WriteJson(context, outcome.StatusCode, backup, AgentJsonContext.Wire.BackupInfo)
            : WriteJson(context, outcome.StatusCode, Capped(outcome.Error!), AgentJsonContext.Wire.AgentError);

    private static Task WriteError(HttpContext context, int status, string code, string message) =>
        WriteJson(context, status, Capped(new AgentError { Code = code, Message = message }), AgentJsonContext.Wire.AgentError);

    /// <summary>The last guard on what an error reflects: whatever a message quotes, it stays short.</summary>
    private static AgentError Capped(AgentError error) =>
        error.Message.Length <= MaxErrorMessageLength ? error : error with { Message = error.Message[..MaxErrorMessageLength] + "…" };

    private static async Task WriteJson<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = JsonContentType;
        await JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }

    private static Task WriteText(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    private static string? BearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var token = header[Scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    private static bool MatchesETag(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        if (ifNoneMatch.Count == 0) return false;
        if (!EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)) return false;
        foreach (var tag in tags)
        {
            // If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x".
            if (tag.Equals(EntityTagHeaderValue.Any) || tag.Tag.Equals(etag, StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
