using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Options;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Auth;

/// <summary>
/// Kubernetes ServiceAccount bearer tokens on <c>/api/v1</c> and the hub, for automation in the
/// cluster: each token is checked with the TokenReview API (bound to
/// <see cref="ServiceAccountAuthOptions.Audience"/>), and the username or groups the review returns
/// are mapped to roles. A review's answer is reused for <see cref="ServiceAccountAuthOptions.CacheFor"/>,
/// keyed by the token's SHA-256 (the token itself is never kept).
/// </summary>
public sealed class ServiceAccountHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IKubernetes kubernetes,
    ServiceAccountReviews reviews,
    SignInRecorder signIns,
    IOptions<DashboardOptions> dashboard) : DashboardAuthenticationHandler(options, logger, encoder)
{
    private readonly ServiceAccountAuthOptions _settings = dashboard.Value.Auth.ServiceAccounts;

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = BearerToken.From(Request);
        if (token is null) return AuthenticateResult.NoResult();
        var now = TimeProvider.GetUtcNow();
        var review = reviews.Get(token, now) ?? await ReviewAsync(token, now).ConfigureAwait(false);
        if (review.Error is { } error)
        {
            await RequestAudit.AppendAsync(Context, null, AuditActions.SignInFailed, AuditOutcome.Denied, RequestAudit.Target(Context),
                RequestAudit.Reason(error, ("method", DashboardIdentity.Methods.ServiceAccount))).ConfigureAwait(false);
            return AuthenticateResult.Fail(error);
        }

        var map = _settings.Roles.ToRoleMap();
        var identities = new[] { review.Username! }.Concat(review.Groups).ToArray();
        var principal = DashboardIdentity.Create(review.Username!, review.Username, null, review.Groups, map.RolesOf(identities), DashboardIdentity.Methods.ServiceAccount, map);
        await signIns.RecordAsync(Context, principal).ConfigureAwait(false);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    /// <inheritdoc />
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    private async Task<ServiceAccountReview> ReviewAsync(string token, DateTimeOffset now)
    {
        ServiceAccountReview review;
        try
        {
            var answer = await kubernetes.AuthenticationV1.CreateTokenReviewAsync(
                new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token, Audiences = [_settings.Audience] } },
                cancellationToken: Context.RequestAborted).ConfigureAwait(false);
            var status = answer.Status;
            review = status?.Authenticated == true && status.User?.Username is { Length: > 0 } username
                ? status.Audiences?.Contains(_settings.Audience) == false
                    ? ServiceAccountReview.Refused($"the token is not bound to the audience {_settings.Audience}")
                    : new ServiceAccountReview(username, [.. status.User.Groups ?? []], null)
                : ServiceAccountReview.Refused("the Kubernetes API did not accept the token" + (string.IsNullOrEmpty(status?.Error) ? "" : $" ({status.Error})"));
        }
        catch (Exception ex) when (ex is HttpRequestException or k8s.Autorest.HttpOperationException or TaskCanceledException)
        {
            // Not cached: the next request asks again.
            return ServiceAccountReview.Refused($"the token could not be reviewed: {ex.GetType().Name}");
        }

        reviews.Put(token, review, now + _settings.CacheFor);
        return review;
    }
}

/// <summary>A TokenReview's answer: the ServiceAccount and its groups, or why it was refused.</summary>
public sealed record ServiceAccountReview(string? Username, IReadOnlyList<string> Groups, string? Error)
{
    public static ServiceAccountReview Refused(string error) => new(null, [], error);
}

/// <summary>Recent TokenReview answers, keyed by the token's SHA-256, bounded in count.</summary>
public sealed class ServiceAccountReviews
{
    private const int MaxEntries = 1024;
    private readonly ConcurrentDictionary<string, (ServiceAccountReview Review, DateTimeOffset Until)> _entries = new(StringComparer.Ordinal);

    public ServiceAccountReview? Get(string token, DateTimeOffset now) =>
        _entries.TryGetValue(Key(token), out var entry) && entry.Until > now ? entry.Review : null;

    public void Put(string token, ServiceAccountReview review, DateTimeOffset until)
    {
        if (_entries.Count >= MaxEntries) _entries.Clear();
        _entries[Key(token)] = (review, until);
    }

    private static string Key(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary>The bearer token of a request's <c>Authorization</c> header.</summary>
public static class BearerToken
{
    /// <summary>The token, or null when the header is absent or not <c>Bearer …</c>.</summary>
    public static string? From(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }
}
