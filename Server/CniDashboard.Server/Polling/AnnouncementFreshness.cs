using System.Collections.Concurrent;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Options;
using CniDashboard.Shared.Agent;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Polling;

/// <summary>
/// Mode <c>announce</c>: whether a node whose agent just answered can still be called current. Its
/// files are only as fresh as its announcements, so it is stale (with the reason) when its agent
/// pod is not Ready, or when the agent answers with a manifest other than the one its Pod announces
/// for longer than the safety interval — its announcements are not arriving (RBAC, the admission
/// policy, the API server), and changes are seen only by the safety poll. Mode <c>poll</c>: always current.
/// </summary>
public sealed class AnnouncementFreshness(ClusterState cluster, FleetState fleet, IOptions<DashboardOptions> options)
{
    private readonly PollerOptions _options = options.Value.Poller;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lagSince = new(StringComparer.Ordinal);

    /// <summary>Why the node is stale although its agent answered at <paramref name="now"/>; null when it is current.</summary>
    public string? StaleReason(string node, DateTimeOffset now)
    {
        if (_options.Mode != PollerMode.Announce) return null;
        var pod = cluster.AgentPodFor(node);
        if (pod is null) return null;
        if (!pod.Ready) return $"agent pod {pod.Name} is not Ready, so its announcements cannot be relied on";

        var served = fleet.Get(node)?.ManifestHash;
        if (served is null || pod.AnnouncedManifestHash == served)
        {
            _lagSince.TryRemove(node, out _);
            return null;
        }

        var since = _lagSince.GetOrAdd(node, now);
        if (now - since < _options.SafetyInterval) return null;
        var announced = pod.AnnouncedManifestHash is { } hash ? $"announces {hash[..12]}…" : "announces nothing";
        return $"agent answers, but its pod {announced} ({ManifestAnnouncement.AnnotationKey}) since {since:yyyy-MM-dd HH:mm} UTC: "
            + "announcements are not arriving, changes are seen only by the safety poll";
    }

    /// <summary>Forgets a node (it left the cluster).</summary>
    public void Forget(string node) => _lagSince.TryRemove(node, out _);
}
