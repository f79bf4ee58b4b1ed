using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using CniDashboard.Agent.Announce;
using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.Scenarios;
using k8s;
using Microsoft.Extensions.Logging;

namespace CniDashboard.Simulator.Nodes;

/// <summary>
/// The simulated agents announce as real ones do: each node's product <see cref="ManifestAnnouncer"/>
/// (same debounce, retries and comparison) patches the <c>cni-dashboard.io/manifest-hash</c> annotation
/// of that node's agent Pod over HTTPS on the emulator, with a ServiceAccount token bound to the Pod
/// and its node as the kubelet projects it — so the emulator's RBAC and its copy of the chart's
/// admission policy judge every announcement. One keep-alive HTTP client serves all nodes (thousands
/// of agents each opening a TLS connection per announcement would measure the simulator, not the
/// design). A new agent Pod (the DaemonSet replaced it) is announced to again, as a restarted agent does.
/// </summary>
public sealed partial class AgentAnnouncements : IAsyncDisposable
{
    private static readonly TimeSpan TokenRenewal = TimeSpan.FromMinutes(30);

    private readonly KubeApiEmulator _emulator;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly Dictionary<string, NodeAnnouncer> _nodes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task _podWatch = Task.CompletedTask;

    private AgentAnnouncements(KubeApiEmulator emulator, TimeProvider time, ILogger logger)
    {
        _emulator = emulator;
        _time = time;
        _logger = logger;
        var authority = emulator.CaCertificate;
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 16,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                    CustomTrustStore = { authority },
                },
            },
        })
        {
            BaseAddress = emulator.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>Announcements written successfully, all nodes together.</summary>
    public long Writes => _nodes.Values.Sum(n => n.Announcer.Writes);

    /// <summary>Announcements refused or failed (each retried), all nodes together.</summary>
    public long Failures => _nodes.Values.Sum(n => n.Announcer.Failures);

    /// <summary>The hash last announced for a node, or null.</summary>
    public string? Announced(string nodeName) => _nodes.TryGetValue(nodeName, out var node) ? node.Announcer.Announced : null;

    internal static AgentAnnouncements Start(KubeApiEmulator emulator, AgentFleet agents, IReadOnlyList<SimulatedNode> nodes, TimeProvider time, ILoggerFactory loggers)
    {
        var announcements = new AgentAnnouncements(emulator, time, loggers.CreateLogger<AgentAnnouncements>());
        foreach (var node in nodes)
        {
            var state = new NodeAnnouncer(announcements, node);
            var agent = agents.Agent(node.Name);
            state.Announcer = new ManifestAnnouncer(
                new ManifestAnnouncerOptions { NodeName = node.Name },
                async ct => (await agent.GetSnapshotAsync(ct).ConfigureAwait(false)).Snapshot.ManifestHash,
                state,
                time,
                loggers.CreateLogger<ManifestAnnouncer>());
            agent.Invalidated += state.Announcer.Changed;
            announcements._nodes.Add(node.Name, state);
        }

        announcements._podWatch = announcements.FollowAgentPodsAsync(announcements._stopping.Token);
        return announcements;
    }

    /// <summary>Follows the agent DaemonSet's pods: each node announces to its current Pod, again whenever the Pod is replaced.</summary>
    private async Task FollowAgentPodsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var change in _emulator.Cluster.Pods.WatchAsync(
                CniDaemonSets.AgentNamespace, labelSelector: $"app.kubernetes.io/name={CniDaemonSets.Agent}", cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var pod = change.Object;
                if (pod.Spec?.NodeName is not { } nodeName || !_nodes.TryGetValue(nodeName, out var node)) continue;
                if (change.Type == WatchEventType.Deleted) node.PodGone(pod.Metadata.Uid);
                else if (pod.Metadata.DeletionTimestamp is null) node.PodIs(pod.Metadata.Name, pod.Metadata.Uid);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _podWatch.ConfigureAwait(false);
        foreach (var node in _nodes.Values)
        {
            await node.Announcer.DisposeAsync().ConfigureAwait(false);
        }

        _http.Dispose();
        _stopping.Dispose();
    }

    /// <summary>One node's announcer and the Pod it announces on.</summary>
    private sealed class NodeAnnouncer(AgentAnnouncements owner, SimulatedNode node) : IAnnouncementWriter
    {
        private readonly Lock _gate = new();
        private (string Name, string Uid)? _pod;
        private (string Token, DateTimeOffset IssuedAt, string PodUid)? _token;

        public ManifestAnnouncer Announcer { get; set; } = null!;

        public void PodIs(string name, string uid)
        {
            lock (_gate)
            {
                if (_pod?.Uid == uid) return;
                _pod = (name, uid);
            }

            // A new Pod carries no annotation: announce to it now, as a restarted agent does at start.
            Announcer.Reannounce();
        }

        public void PodGone(string uid)
        {
            lock (_gate)
            {
                if (_pod?.Uid == uid) _pod = null;
            }
        }

        public async Task WriteAsync(string manifestHash, CancellationToken cancellationToken)
        {
            (string Name, string Uid) pod;
            string token;
            lock (_gate)
            {
                pod = _pod ?? throw new AnnouncementException($"no agent pod on {node.Name} yet");
                var now = owner._time.GetUtcNow();
                if (_token is not { } known || known.PodUid != pod.Uid || now - known.IssuedAt > TokenRenewal)
                {
                    _token = (owner._emulator.Tokens.IssueServiceAccountToken(
                        KubeIdentities.ProductNamespace,
                        KubeIdentities.AgentServiceAccount,
                        pod: new BoundObjectReference(pod.Name, pod.Uid),
                        node: new BoundObjectReference(node.Name, node.Identity.Uid ?? "")), now, pod.Uid);
                }

                token = _token.Value.Token;
            }

            using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/namespaces/{CniDaemonSets.AgentNamespace}/pods/{pod.Name}")
            {
                Content = new ByteArrayContent(PodAnnotationWriter.PatchBody(manifestHash)),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            try
            {
                using var response = await owner._http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    throw new AnnouncementException($"the API server answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 300)]}");
                }
            }
            catch (Exception e) when (e is HttpRequestException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Refused, reset (the API server restarting) or timed out: the announcer retries after its backoff.
                throw new AnnouncementException($"{e.GetType().Name}: {e.Message}", e);
            }
        }
    }
}
