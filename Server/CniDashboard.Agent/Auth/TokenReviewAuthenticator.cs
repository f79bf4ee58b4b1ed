using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniDashboard.Agent.Auth;

/// <summary>Settings of mode <c>tokenreview</c>.</summary>
public sealed record TokenReviewOptions
{
    /// <summary>The default audience callers' tokens must be minted for.</summary>
    public const string DefaultAudience = "cni-dashboard-agent";

    /// <summary>The dashboard's ServiceAccount, the only caller allowed by default.</summary>
    public const string DefaultAllowedUsername = "system:serviceaccount:cni-dashboard:cni-dashboard";

    /// <summary>The API server (in-cluster: <c>https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT</c>).</summary>
    public required Uri ApiServer { get; init; }

    /// <summary>PEM file of the CA that signs the API server's certificate; null uses the system's trust store.</summary>
    public string? CaFile { get; init; }

    /// <summary>The agent's own ServiceAccount token (re-read as the kubelet rotates it).</summary>
    public required string TokenFile { get; init; }

    /// <summary>The audience callers' tokens must be valid for.</summary>
    public string Audience { get; init; } = DefaultAudience;

    /// <summary>Usernames allowed to call the agent; anyone else authenticated gets 403.</summary>
    public IReadOnlyList<string> AllowedUsernames { get; init; } = [DefaultAllowedUsername];

    /// <summary>How long an answer (positive or negative) is reused; at most 60 s.</summary>
    public TimeSpan CacheTtl { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Most cached answers; beyond it expired ones are dropped, then everything.</summary>
    public int MaxCacheEntries { get; init; } = 4096;

    /// <summary>Time allowed for one review.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Mode <c>tokenreview</c> (production): asks the API server whether a bearer token is valid for the
/// agent's audience and whose it is. Answers are cached by a hash of the token — the token itself
/// is never kept, logged or used as a key.
/// </summary>
public sealed class TokenReviewAuthenticator : IAgentAuthenticator, IDisposable
{
    private static readonly TimeSpan MaxCacheTtl = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan OwnTokenReload = TimeSpan.FromMinutes(1);
    private readonly TokenReviewOptions _options;
    private readonly ClusterCa? _clusterCa;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, (AgentAuthResult Result, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);
    private readonly HashSet<string> _allowed;
    private volatile OwnToken? _ownToken;

    /// <summary>
    /// Creates the authenticator. Each review is one POST on a connection of its own that trusts
    /// <see cref="TokenReviewOptions.CaFile"/> alone (read here: an unreadable CA stops the start).
    /// </summary>
    public TokenReviewAuthenticator(TokenReviewOptions options, TimeProvider? time = null, ILogger<TokenReviewAuthenticator>? logger = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<TokenReviewAuthenticator>.Instance;
        _allowed = new HashSet<string>(options.AllowedUsernames, StringComparer.Ordinal);
        _clusterCa = ClusterCa.Load(options.CaFile);
    }

    /// <inheritdoc />
    public string Mode => "tokenreview";

    /// <inheritdoc />
    public async ValueTask<AgentAuthResult> AuthenticateAsync(string? bearerToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(bearerToken))
            return new AgentAuthResult(AgentAuthStatus.Unauthenticated, Detail: "a bearer token is required");

        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(bearerToken)));
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(key, out var hit) && hit.Expires > now) return hit.Result;

        var result = await ReviewAsync(bearerToken, cancellationToken);
        if (result.Status != AgentAuthStatus.Unavailable)
        {
            if (_cache.Count >= _options.MaxCacheEntries) Trim(now);
            var ttl = _options.CacheTtl > MaxCacheTtl ? MaxCacheTtl : _options.CacheTtl;
            _cache[key] = (result, now + ttl);
        }
        return result;
    }

    private async Task<AgentAuthResult> ReviewAsync(string token, CancellationToken cancellationToken)
    {
        TokenReview? answer;
        // The review's own deadline, on the agent's clock; the caller's token still cancels it.
        using var deadline = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var review = new TokenReview { Spec = new TokenReviewSpec { Token = token, Audiences = [_options.Audience] } };
            var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(review, TokenReviewJsonContext.Default.TokenReview);
            var (code, json) = await ApiServerPost.SendAsync(
                _options.ApiServer, "/apis/authentication.k8s.io/v1/tokenreviews", await OwnTokenAsync(linked.Token), body, TrustPolicy(), linked.Token);
            if (code is < 200 or > 299)
            {
                AgentLog.TokenReviewFailed(_logger, $"API server answered {code}");
                return new AgentAuthResult(AgentAuthStatus.Unavailable, Detail: "the API server did not review the token");
            }
            answer = System.Text.Json.JsonSerializer.Deserialize(json, TokenReviewJsonContext.Default.TokenReview);
        }
        catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException or System.Text.Json.JsonException
            || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            AgentLog.TokenReviewFailed(_logger, ex.GetType().Name + ": " + ex.Message);
            return new AgentAuthResult(AgentAuthStatus.Unavailable, Detail: "the API server could not be reached to review the token");
        }

        var status = answer?.Status;
        if (status is not { Authenticated: true } || status.User?.Username is not { Length: > 0 } username)
            return new AgentAuthResult(AgentAuthStatus.Unauthenticated, Detail: "the bearer token is not valid");
        // An audience-aware server names the audience it accepted; a token for another audience must not pass.
        if (status.Audiences is null || !status.Audiences.Contains(_options.Audience, StringComparer.Ordinal))
            return new AgentAuthResult(AgentAuthStatus.Unauthenticated, Detail: $"the bearer token is not valid for audience {_options.Audience}");
        return _allowed.Contains(username)
            ? new AgentAuthResult(AgentAuthStatus.Allowed, username)
            : new AgentAuthResult(AgentAuthStatus.Forbidden, username, $"{username} may not use the agent");
    }

    private async Task<string> OwnTokenAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_ownToken is { } known && now - known.ReadAt < OwnTokenReload) return known.Token;
        var token = (await File.ReadAllTextAsync(_options.TokenFile, cancellationToken)).Trim();
        _ownToken = new OwnToken(token, now);
        return token;
    }

    private void Trim(DateTimeOffset now)
    {
        foreach (var entry in _cache)
        {
            if (entry.Value.Expires <= now) _cache.TryRemove(entry.Key, out _);
        }
        if (_cache.Count >= _options.MaxCacheEntries) _cache.Clear();
    }

    private X509ChainPolicy? TrustPolicy() => _clusterCa?.Policy();

    private sealed record OwnToken(string Token, DateTimeOffset ReadAt);

    /// <inheritdoc />
    public void Dispose() => _clusterCa?.Dispose();
}
