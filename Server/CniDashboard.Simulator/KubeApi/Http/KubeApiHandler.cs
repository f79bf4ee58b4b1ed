using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.KubeApi.Patching;
using CniDashboard.Simulator.KubeApi.Selectors;
using CniDashboard.Simulator.KubeApi.Store;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CniDashboard.Simulator.KubeApi.Http;

/// <summary>
/// The API server's front door: authenticates the bearer token, authorizes the verb against the
/// identity table, and serves the resource verbs and discovery. Every refusal is a V1Status body
/// with the real server's code, reason and wording.
/// </summary>
internal sealed partial class KubeApiHandler
{
    private readonly ClusterState _cluster;
    private readonly TokenAuthority _tokens;
    private readonly AccessPolicy _policy;
    private readonly IReadOnlyDictionary<string, string> _staticTokens;
    private readonly ApiRequestLog _requests;
    private readonly TimeSpan _bookmarkInterval;
    private readonly int _watchBufferCapacity;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string Verb, string Resource), int> _served = new();

    public KubeApiHandler(
        ClusterState cluster,
        TokenAuthority tokens,
        AccessPolicy policy,
        IReadOnlyDictionary<string, string> staticTokens,
        ApiRequestLog requests,
        KubeApiEmulatorOptions options,
        ILogger logger)
    {
        _cluster = cluster;
        _tokens = tokens;
        _policy = policy;
        _staticTokens = staticTokens;
        _requests = requests;
        _bookmarkInterval = options.BookmarkInterval;
        _watchBufferCapacity = options.WatchBufferCapacity;
        _logger = logger;
    }

    public ApiRequestLog Requests => _requests;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var auditId = Header(request, AuditIdHeader);
        // As the real server's audit filter: every answer carries an Audit-Id, the caller's when it sent one.
        context.Response.Headers[AuditIdHeader] = auditId ?? Guid.NewGuid().ToString();
        var facts = new RequestFacts();
        try
        {
            await DispatchAsync(context, facts).ConfigureAwait(false);
        }
        catch (KubeApiException e)
        {
            LogRefused(context.Request.Method, context.Request.Path.Value ?? "", e.Status.Code ?? 0, e.Message);
            if (!context.Response.HasStarted)
            {
                await KubeJsonResponses.WriteBytesAsync(context, e.Status.Code ?? 500, KubeStatus.ToJson(e.Status)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client hung up; there is nobody left to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            // A bug in the emulator must still answer like an API server, not with an empty 500.
            LogFailed(e, context.Request.Method, context.Request.Path.Value ?? "");
            var status = KubeStatus.Failure(500, "InternalError", $"an error on the server (\"{e.Message}\") has prevented the request from succeeding", null);
            await KubeJsonResponses.WriteBytesAsync(context, 500, KubeStatus.ToJson(status)).ConfigureAwait(false);
        }
        finally
        {
            _requests.Add(new ApiRequest(
                _cluster.TimeProvider.GetUtcNow(),
                facts.User?.Username,
                request.Method,
                facts.Verb,
                request.Path.Value ?? "/",
                request.QueryString.Value ?? "",
                context.Response.StatusCode,
                auditId,
                Header(request, "User-Agent")));
        }
    }

    private const string AuditIdHeader = "Audit-Id";

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var values) && values.ToString() is { Length: > 0 } value ? value : null;

    /// <summary>What the request turned out to be, as far as it got: for the request log.</summary>
    private sealed class RequestFacts
    {
        public KubeUser? User { get; set; }

        public string? Verb { get; set; }
    }

    /// <summary>Authorized requests served so far with <paramref name="verb"/> on <paramref name="resource"/> (its plural, e.g. <c>nodes</c>).</summary>
    public int Served(string verb, string resource) => _served.GetValueOrDefault((verb, resource));

    /// <summary>Authenticates a bearer token as the API server would: static tokens first, then ServiceAccount tokens.</summary>
    public TokenValidation Authenticate(string token, IReadOnlyList<string>? audiences)
    {
        if (_staticTokens.TryGetValue(token, out var username))
        {
            // Static tokens are not audience-bound: they are only good for the API server's own audiences.
            var wanted = audiences is { Count: > 0 } ? audiences : _tokens.ApiAudiences;
            var accepted = wanted.Intersect(_tokens.ApiAudiences, StringComparer.Ordinal).ToArray();
            return accepted.Length == 0
                ? TokenValidation.Failed("[invalid bearer token, token audiences are not valid for the requested audiences]")
                : new TokenValidation(true, KubeUser.Named(username), accepted, null);
        }

        return _tokens.Validate(token, audiences);
    }

    private async Task DispatchAsync(HttpContext context, RequestFacts facts)
    {
        var path = context.Request.Path.Value ?? "/";
        switch (path.TrimEnd('/'))
        {
            case "/version":
                await KubeJsonResponses.WriteObjectAsync(context, 200, DiscoveryDocuments.Version()).ConfigureAwait(false);
                return;
            case "/healthz" or "/livez" or "/readyz":
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("ok", context.RequestAborted).ConfigureAwait(false);
                return;
        }

        var user = AuthenticateRequest(context) ?? throw KubeApiException.Unauthorized();
        facts.User = user;

        switch (path.TrimEnd('/'))
        {
            case "/api":
                await KubeJsonResponses.WriteObjectAsync(context, 200, DiscoveryDocuments.CoreVersions(context.Request.Host.Value ?? "")).ConfigureAwait(false);
                return;
            case "/apis":
                await KubeJsonResponses.WriteObjectAsync(context, 200, DiscoveryDocuments.Groups()).ConfigureAwait(false);
                return;
        }

        if (!KubeApiRoutes.TrySplit(path, out var group, out var version, out var rest))
        {
            throw KubeApiException.PathNotFound();
        }

        if (rest.Length == 0)
        {
            var resources = DiscoveryDocuments.Resources(group, version) ?? throw KubeApiException.PathNotFound();
            await KubeJsonResponses.WriteObjectAsync(context, 200, resources).ConfigureAwait(false);
            return;
        }

        var target = KubeApiRoutes.Resolve(group, version, rest) ?? throw KubeApiException.PathNotFound();
        if (target.Resource.Namespaced && target.Name is not null && target.Namespace is null)
        {
            throw KubeApiException.PathNotFound();
        }

        if (target.Subresource is not null && (target.Subresource != "status" || !KubeApiRoutes.HasStatus(target.Resource)))
        {
            throw KubeApiException.PathNotFound();
        }

        var verb = VerbOf(context.Request, target);
        facts.Verb = verb;
        var authorizedResource = target.Subresource is null ? target.Resource.Plural : $"{target.Resource.Plural}/{target.Subresource}";
        var authorizedName = AuthorizedName(context.Request, verb, target);
        if (!_policy.Allows(user, verb, authorizedResource, target.Namespace, authorizedName))
        {
            throw AccessPolicy.Forbidden(user, verb, target.Resource, target.Subresource, target.Namespace, authorizedName);
        }

        LogServing(user.Username, verb, path);
        _served.AddOrUpdate((verb, authorizedResource), 1, (_, n) => n + 1);
        if (target.Resource == KubeResource.TokenReviews)
        {
            await ReviewTokenAsync(context).ConfigureAwait(false);
            return;
        }

        var store = _cluster.Find(target.Resource) ?? throw KubeApiException.PathNotFound();
        // The chart's ValidatingAdmissionPolicy for the agent's announcements, applied as the real server applies it to UPDATEs.
        Action<JsonObject, JsonObject>? admit = AnnouncementAdmission.Applies(user, target.Resource) && target.Subresource is null
            ? (before, after) => AnnouncementAdmission.Validate(user, before, after)
            : null;
        await ServeAsync(context, verb, target, store, admit).ConfigureAwait(false);
    }

    private async Task ServeAsync(HttpContext context, string verb, KubeApiTarget target, IResourceStore store, Action<JsonObject, JsonObject>? admit)
    {
        var query = context.Request.Query;
        var scope = target.Subresource == "status" ? UpdateScope.Status : UpdateScope.MainResource;
        switch (verb)
        {
            case "get":
                var read = store.Read(target.Namespace, target.Name!);
                await KubeJsonResponses.WriteBytesAsync(
                    context,
                    200,
                    KubeTable.IsRequested(context.Request, target.Resource)
                        ? KubeTable.Render(target.Resource, [read], read.ResourceVersion.ToString(CultureInfo.InvariantCulture), null, _cluster.TimeProvider.GetUtcNow().UtcDateTime)
                        : read.Json).ConfigureAwait(false);
                break;
            case "list":
                var page = store.List(
                    ListQuery.Of(target.Namespace, query["labelSelector"], query["fieldSelector"]),
                    IntParameter(query["limit"], "limit"),
                    query["continue"]);
                if (KubeTable.IsRequested(context.Request, target.Resource))
                {
                    // kubectl get: the real server's columns (STATUS, READY, AGE…), not just names.
                    var table = KubeTable.Render(target.Resource, page.Items, page.ResourceVersion.ToString(CultureInfo.InvariantCulture), page.Continue, _cluster.TimeProvider.GetUtcNow().UtcDateTime);
                    await KubeJsonResponses.WriteBytesAsync(context, 200, table).ConfigureAwait(false);
                    break;
                }

                await KubeJsonResponses.WriteListAsync(context, target.Resource, page).ConfigureAwait(false);
                break;
            case "watch":
                await new WatchStream(_cluster, store, _bookmarkInterval).ServeAsync(
                    context,
                    ListQuery.Of(target.Namespace, query["labelSelector"], query["fieldSelector"]),
                    query["resourceVersion"],
                    BoolParameter(query["allowWatchBookmarks"]),
                    IntParameter(query["timeoutSeconds"], "timeoutSeconds"),
                    _watchBufferCapacity).ConfigureAwait(false);
                break;
            case "create":
                var created = store.CreateFromJson(target.Namespace, await ReadBodyAsync(context).ConfigureAwait(false) ?? throw EmptyBody());
                await KubeJsonResponses.WriteBytesAsync(context, 201, created.Json).ConfigureAwait(false);
                break;
            case "update":
                var replaced = store.ReplaceFromJson(target.Namespace, target.Name!, await ReadBodyAsync(context).ConfigureAwait(false) ?? throw EmptyBody(), scope, admit);
                await KubeJsonResponses.WriteBytesAsync(context, 200, replaced.Json).ConfigureAwait(false);
                break;
            case "patch":
                var kind = PatchKinds.FromContentType(context.Request.ContentType);
                var patched = store.PatchFromJson(target.Namespace, target.Name!, kind, await ReadBodyAsync(context).ConfigureAwait(false), scope, admit);
                await KubeJsonResponses.WriteBytesAsync(context, 200, patched.Json).ConfigureAwait(false);
                break;
            case "delete":
                var options = await ReadBodyAsync(context).ConfigureAwait(false) is { } body ? KubernetesJson.Deserialize<V1DeleteOptions>(body) : null;
                var outcome = store.Delete(target.Namespace, target.Name!, options?.Preconditions);
                if (outcome.ReturnsObject)
                {
                    await KubeJsonResponses.WriteBytesAsync(context, 200, outcome.Deleted.Json).ConfigureAwait(false);
                }
                else
                {
                    await KubeJsonResponses.WriteBytesAsync(context, 200, KubeStatus.ToJson(KubeStatus.Success(target.Resource, outcome.Deleted.Name, outcome.Deleted.Uid))).ConfigureAwait(false);
                }

                break;
            default:
                throw KubeApiException.MethodNotSupported(target.Resource.Plural, verb);
        }
    }

    private async Task ReviewTokenAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context).ConfigureAwait(false) ?? throw EmptyBody();
        var review = KubernetesJson.Deserialize<V1TokenReview>(body);
        var token = review.Spec?.Token;
        if (string.IsNullOrEmpty(token))
        {
            throw KubeApiException.Invalid(KubeResource.TokenReviews, "", "spec.token", "Required value");
        }

        var validation = Authenticate(token, review.Spec!.Audiences?.ToList());
        review.ApiVersion = KubeResource.TokenReviews.ApiVersion;
        review.Kind = KubeResource.TokenReviews.Kind;
        review.Metadata ??= new V1ObjectMeta();

        // As on the real server, a failed review omits "authenticated" (false) and "audiences".
        review.Status = validation.User is { } user
            ? new V1TokenReviewStatus
            {
                Authenticated = true,
                Audiences = [.. validation.Audiences],
                User = new V1UserInfo
                {
                    Username = user.Username,
                    Uid = user.Uid,
                    Groups = [.. user.Groups],
                    Extra = user.Extra.ToDictionary(pair => pair.Key, pair => (IList<string>)[.. pair.Value]),
                },
            }
            : new V1TokenReviewStatus { User = new V1UserInfo(), Error = validation.Error };
        await KubeJsonResponses.WriteObjectAsync(context, 201, review).ConfigureAwait(false);
    }

    private KubeUser? AuthenticateRequest(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var validation = Authenticate(header[scheme.Length..].Trim(), null);
        return validation.Authenticated ? validation.User : null;
    }

    private static string VerbOf(HttpRequest request, KubeApiTarget target)
    {
        var method = request.Method.ToUpperInvariant();
        return method switch
        {
            "GET" when target.Name is null => BoolParameter(request.Query["watch"]) ? "watch" : "list",
            "GET" => "get",
            "POST" when target.Name is null => "create",
            "PUT" when target.Name is not null => "update",
            "PATCH" when target.Name is not null => "patch",
            "DELETE" when target.Name is not null => "delete",
            "DELETE" => throw KubeApiException.MethodNotSupported(target.Resource.Plural, "deletecollection"),
            _ => throw KubeApiException.MethodNotSupported(target.Resource.Plural, method.ToLowerInvariant()),
        };
    }

    /// <summary>
    /// The object a request names, for RBAC <c>resourceNames</c>: the path's name, or for a list or
    /// watch an exact <c>metadata.name</c> field selector, as the real server's request info reads it.
    /// </summary>
    private static string? AuthorizedName(HttpRequest request, string verb, KubeApiTarget target) =>
        target.Name ?? (verb is "list" or "watch" ? FieldSelector.Parse(request.Query["fieldSelector"]).EqualityValue("metadata.name") : null);

    private static async Task<JsonNode?> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        if (buffer.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(buffer.ToArray());
        }
        catch (JsonException e)
        {
            throw KubeApiException.BadRequest($"the body of the request could not be decoded: {e.Message}");
        }
    }

    private static KubeApiException EmptyBody() => KubeApiException.BadRequest("the body of the request was empty");

    private static bool BoolParameter(string? value) => value is "1" or "true" or "True";

    private static int? IntParameter(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw KubeApiException.BadRequest($"{name}: Invalid value: \"{value}\": must be an integer");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{User} {Verb} {Path}")]
    private partial void LogServing(string user, string verb, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private partial void LogFailed(Exception exception, string method, string path);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path} refused with {Code}: {Reason}")]
    private partial void LogRefused(string method, string path, int code, string reason);
}
