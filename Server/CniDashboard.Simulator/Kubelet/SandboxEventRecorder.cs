using System.Globalization;
using System.Net;
using CniDashboard.Simulator.KubeApi;
using k8s.Models;

namespace CniDashboard.Simulator.Kubelet;

/// <summary>The pod an event is about, as its involvedObject names it.</summary>
internal sealed record PodReference(string Namespace, string Name, string Uid, string? ResourceVersion);

/// <summary>
/// Records kubelet Warning events with the kubelet's aggregation: the same pod failing for the same
/// reason again updates one event (count, lastTimestamp, latest message) instead of creating another.
/// Used only from the kubelet's loop.
/// </summary>
internal sealed class SandboxEventRecorder
{
    private readonly ClusterState _cluster;
    private readonly Dictionary<string, Dictionary<string, string>> _eventNamesByPod = new(StringComparer.Ordinal);

    public SandboxEventRecorder(ClusterState cluster)
    {
        _cluster = cluster;
    }

    /// <summary>Records one occurrence for the pod at <paramref name="now"/>.</summary>
    public void Record(PodReference pod, string nodeName, string reason, string message, DateTimeOffset now)
    {
        var at = now.UtcDateTime;
        var names = _eventNamesByPod.TryGetValue(pod.Uid, out var known) ? known : null;
        if (names is not null && names.TryGetValue(reason, out var existing))
        {
            try
            {
                _cluster.Events.Update(pod.Namespace, existing, e =>
                {
                    e.Count = (e.Count ?? 1) + 1;
                    e.LastTimestamp = at;
                    e.Message = message;
                });
                return;
            }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                // Expired (event TTL) or deleted by someone: start a new series, as the kubelet would.
                names.Remove(reason);
            }
        }

        var nanos = (now.ToUnixTimeMilliseconds() * 1_000_000L) + (now.Ticks % TimeSpan.TicksPerMillisecond * 100);
        for (var attempt = 0; ; attempt++)
        {
            var name = $"{pod.Name}.{(nanos + attempt).ToString("x", CultureInfo.InvariantCulture)}";
            try
            {
                _cluster.Events.Create(new Corev1Event
                {
                    Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = pod.Namespace },
                    InvolvedObject = new V1ObjectReference
                    {
                        ApiVersion = "v1",
                        Kind = "Pod",
                        NamespaceProperty = pod.Namespace,
                        Name = pod.Name,
                        Uid = pod.Uid,
                        ResourceVersion = pod.ResourceVersion,
                    },
                    Reason = reason,
                    Message = message,
                    Source = new V1EventSource { Component = "kubelet", Host = nodeName },
                    FirstTimestamp = at,
                    LastTimestamp = at,
                    Count = 1,
                    Type = "Warning",
                    ReportingComponent = "kubelet",
                    ReportingInstance = nodeName,
                });
                if (names is null)
                {
                    names = new Dictionary<string, string>(StringComparer.Ordinal);
                    _eventNamesByPod[pod.Uid] = names;
                }

                names[reason] = name;
                return;
            }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Conflict && attempt < 16)
            {
                // Two events in the same nanosecond: the next name.
            }
        }
    }

    /// <summary>The pod is gone: its event series end (the events themselves live until their TTL).</summary>
    public void Forget(string podUid) => _eventNamesByPod.Remove(podUid);
}
