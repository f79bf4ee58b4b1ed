using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using CniDashboard.Agent.Auth;
using CniDashboard.Shared.Agent;

namespace CniDashboard.Agent.Announce;

/// <summary>Where the agent's own Pod is and how it reaches the API server.</summary>
public sealed record PodAnnotationTarget
{
    /// <summary>The API server (in-cluster: <c>https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT</c>).</summary>
    public required Uri ApiServer { get; init; }

    /// <summary>PEM file of the cluster CA; null uses the system's trust store.</summary>
    public string? CaFile { get; init; }

    /// <summary>The agent's own ServiceAccount token (read at each announcement: the kubelet rotates it).</summary>
    public required string TokenFile { get; init; }

    /// <summary>The agent Pod's namespace (downward API <c>metadata.namespace</c>).</summary>
    public required string PodNamespace { get; init; }

    /// <summary>The agent Pod's name (downward API <c>metadata.name</c>).</summary>
    public required string PodName { get; init; }

    /// <summary>Time allowed for one announcement.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Announces with one JSON merge patch of the agent's own Pod
/// (<c>{"metadata":{"annotations":{"cni-dashboard.io/manifest-hash":"…"}}}</c>), sent as a single
/// HTTP/1.1 exchange with the ServiceAccount token over TLS checked against the cluster CA — the same
/// hand-made client the token reviews use, so no HTTP client stack or Kubernetes client is compiled
/// into the agent. RBAC grants the agent <c>patch</c> on pods; the chart's ValidatingAdmissionPolicy
/// limits that to this one annotation on the Pod of the agent's own node.
/// </summary>
public sealed class PodAnnotationWriter(PodAnnotationTarget target, TimeProvider time) : IAnnouncementWriter, IDisposable
{
    private const int MaxDetail = 300;
    private readonly ClusterCa? _clusterCa = ClusterCa.Load(target.CaFile);
    private readonly string _path = $"/api/v1/namespaces/{Uri.EscapeDataString(target.PodNamespace)}/pods/{Uri.EscapeDataString(target.PodName)}";

    /// <summary>The merge patch that sets the annotation (the hash is checked hex, so it needs no escaping).</summary>
    public static byte[] PatchBody(string manifestHash)
    {
        if (!ManifestAnnouncement.IsValidHash(manifestHash)) throw new ArgumentException("not a manifest hash", nameof(manifestHash));
        return Encoding.UTF8.GetBytes($"{{\"metadata\":{{\"annotations\":{{\"{ManifestAnnouncement.AnnotationKey}\":\"{manifestHash}\"}}}}}}");
    }

    /// <inheritdoc />
    public async Task WriteAsync(string manifestHash, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(target.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        int status;
        byte[] body;
        try
        {
            var token = (await File.ReadAllTextAsync(target.TokenFile, linked.Token)).Trim();
            (status, body) = await ApiServerPost.SendAsync(
                target.ApiServer, "PATCH", _path, "application/merge-patch+json", token, PatchBody(manifestHash), _clusterCa?.Policy(), linked.Token);
        }
        catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException or UnauthorizedAccessException
            || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The exception's own message: a connection or TLS error, or a file error naming the path; never the token.
            throw new AnnouncementException($"{ex.GetType().Name}: {ex.Message}", ex);
        }

        if (status is >= 200 and <= 299) return;
        throw new AnnouncementException($"the API server answered {status}: {Detail(body)}");
    }

    /// <summary>The start of the API server's Status message (or of its body), for the log line.</summary>
    private static string Detail(byte[] body)
    {
        string text;
        try
        {
            using var status = System.Text.Json.JsonDocument.Parse(body);
            text = status.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && status.RootElement.TryGetProperty("message", out var message) && message.ValueKind == System.Text.Json.JsonValueKind.String
                ? message.GetString() ?? ""
                : "";
        }
        catch (System.Text.Json.JsonException)
        {
            text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, MaxDetail));
        }

        return text.Length > MaxDetail ? text[..MaxDetail] + "…" : text;
    }

    /// <inheritdoc />
    public void Dispose() => _clusterCa?.Dispose();
}
