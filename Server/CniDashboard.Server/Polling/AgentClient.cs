using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using CniDashboard.Server.Options;
using CniDashboard.Shared.Agent;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Polling;

/// <summary>How one agent answered.</summary>
public abstract record AgentAnswer
{
    /// <summary>304: nothing changed since the manifest hash sent.</summary>
    public sealed record NotModified : AgentAnswer;

    /// <summary>200: the folder as it is now.</summary>
    /// <param name="Value">The snapshot.</param>
    public sealed record Snapshot(NodeSnapshot Value) : AgentAnswer;

    /// <summary>No usable answer.</summary>
    /// <param name="Reason">Why, for the node's "stale since" line.</param>
    public sealed record Failed(string Reason) : AgentAnswer;
}

/// <summary>
/// Reads agents' snapshots with conditional GETs: over HTTPS under <see cref="AgentTrust"/> when
/// <c>Dashboard:Poller:AgentCaFile</c> is set, else over plain HTTP.
/// </summary>
public sealed partial class AgentClient : IDisposable
{
    // Same shape as the agent's source-generated context: camelCase, string enums.
    private static readonly JsonSerializerOptions Json = Store.StoreJson.Options;

    private readonly HttpClient _http;
    private readonly PollerOptions _options;
    private readonly AgentTrust? _trust;
    private readonly string _scheme;
    private readonly ILogger _logger;

    /// <summary>Creates the client with a connection pool sized for the poller.</summary>
    public AgentClient(IOptions<DashboardOptions> options, TimeProvider time, ILogger<AgentClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value.Poller;
        _logger = logger;
        var handler = new SocketsHttpHandler
        {
            // Agents are reached by pod IP inside the cluster: never through a proxy.
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectTimeout = _options.RequestTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2),
            MaxConnectionsPerServer = 2,
        };
        if (!string.IsNullOrEmpty(_options.AgentCaFile))
        {
            _trust = new AgentTrust(_options.AgentCaFile, _options.AgentServerName, time, logger);
            handler.ConnectCallback = _trust.ConnectAsync;
            _scheme = Uri.UriSchemeHttps;
            LogTls(_options.AgentServerName, _options.AgentCaFile);
        }
        else
        {
            _scheme = Uri.UriSchemeHttp;
            LogPlainHttp();
        }

        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The agent's base address for a pod IP, or null when it is not an IP address.</summary>
    internal Uri? AgentBase(string podIp)
    {
        if (!IPAddress.TryParse(podIp, out var address)) return null;
        var host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return new Uri($"{_scheme}://{host}:{_options.AgentPort}");
    }

    /// <summary>
    /// Sends one request over the agents' transport (TLS under <see cref="AgentTrust"/>, no proxy, no
    /// redirects), with a bearer token and the poller's request timeout. For <see cref="AgentFileClient"/>.
    /// </summary>
    internal async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string? token, CancellationToken timeout)
    {
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.ConnectionClose = true;
        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout);
    }

    /// <summary>The poller's per-request timeout.</summary>
    internal TimeSpan RequestTimeout => _options.RequestTimeout;

    /// <summary>
    /// Why a request to an agent got no usable answer, in a line for a person; null for an exception
    /// that is not about reaching the agent.
    /// </summary>
    internal string? FailureReason(Exception exception, CancellationToken callerToken) => exception switch
    {
        OperationCanceledException when !callerToken.IsCancellationRequested => $"timeout: no answer within {_options.RequestTimeout.TotalSeconds:0.#} s",
        HttpRequestException { InnerException: AgentTlsException tls } => tls.Message,
        // A TLS server read our clear-text request as a broken handshake and hung up.
        HttpRequestException ex when _trust is null && ex.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse =>
            $"{ex.Message} (does the agent serve TLS? Set Dashboard:Poller:AgentCaFile to its CA)",
        HttpRequestException ex => ex.InnerException is SocketException se ? Describe(se.SocketErrorCode) : ex.Message,
        IOException ex => $"connection lost: {ex.Message}",
        _ => null,
    };

    /// <summary>Asks one agent for its snapshot.</summary>
    /// <param name="podIp">The agent pod's IP.</param>
    /// <param name="knownManifestHash">The node's latest stored manifest hash, sent as If-None-Match.</param>
    /// <param name="token">The bearer token.</param>
    /// <param name="cancellationToken">Cancels the round.</param>
    public async Task<AgentAnswer> GetSnapshotAsync(string podIp, string? knownManifestHash, string? token, CancellationToken cancellationToken)
    {
        if (AgentBase(podIp) is not { } agent) return new AgentAnswer.Failed($"pod IP '{podIp}' is not an IP address");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(agent, "/v1/snapshot"));
        if (knownManifestHash is not null) request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{knownManifestHash}\""));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            // One request per agent per round (Connection: close): keeping thousands of idle connections
            // (and their buffers) between rounds costs memory on both sides and saves only a TCP handshake.
            using var response = await SendAsync(request, token, timeout.Token);
            switch (response.StatusCode)
            {
                case HttpStatusCode.NotModified:
                    return new AgentAnswer.NotModified();
                case HttpStatusCode.OK:
                    if (response.Content.Headers.ContentLength > _options.MaxSnapshotBytes)
                        return new AgentAnswer.Failed($"snapshot of {response.Content.Headers.ContentLength} bytes exceeds the {_options.MaxSnapshotBytes}-byte cap");
                    // Buffer with a cap: a broken or hostile agent cannot make the dashboard hold an unbounded body.
                    await response.Content.LoadIntoBufferAsync(_options.MaxSnapshotBytes, timeout.Token);
                    await using (var body = await response.Content.ReadAsStreamAsync(timeout.Token))
                    {
                        var snapshot = await JsonSerializer.DeserializeAsync<NodeSnapshot>(body, Json, timeout.Token);
                        return snapshot is null ? new AgentAnswer.Failed("agent sent an empty snapshot") : new AgentAnswer.Snapshot(snapshot);
                    }

                case HttpStatusCode.Unauthorized:
                    return new AgentAnswer.Failed("401 Unauthorized: the agent rejected the dashboard's token (check the projected token and its audience)");
                case HttpStatusCode.Forbidden:
                    return new AgentAnswer.Failed("403 Forbidden: the agent does not allow the dashboard's identity");
                default:
                    return new AgentAnswer.Failed($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }
        }
        catch (Exception ex) when (FailureReason(ex, cancellationToken) is { } reason)
        {
            return new AgentAnswer.Failed(reason);
        }
        catch (NotSupportedException ex)
        {
            return new AgentAnswer.Failed($"invalid snapshot JSON: {ex.Message}");
        }
        catch (JsonException ex)
        {
            return new AgentAnswer.Failed($"invalid snapshot JSON: {ex.Message}");
        }
    }

    private static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.TimedOut => "connect timeout",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "unreachable",
        SocketError.ConnectionReset => "connection reset",
        _ => error.ToString(),
    };

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Agents are polled over HTTPS: certificates must chain to {CaFile} and name {ServerName}")]
    private partial void LogTls(string serverName, string caFile);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agents are polled over plain HTTP: the dashboard's token crosses the node network in clear text. Set Dashboard:Poller:AgentCaFile (tests and development only without it)")]
    private partial void LogPlainHttp();
}
