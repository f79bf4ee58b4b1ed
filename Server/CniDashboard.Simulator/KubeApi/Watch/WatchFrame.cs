using CniDashboard.Simulator.KubeApi.Store;
using k8s;
using k8s.Models;

namespace CniDashboard.Simulator.KubeApi.Watch;

/// <summary>One line of a watch stream: an object event, a bookmark, or a terminal error.</summary>
internal readonly record struct WatchFrame(WatchEventType Type, StoredObject? Object, long ResourceVersion, V1Status? Error)
{
    public static WatchFrame Event(WatchEventType type, StoredObject value) => new(type, value, value.ResourceVersion, null);

    public static WatchFrame Bookmark(long resourceVersion) => new(WatchEventType.Bookmark, null, resourceVersion, null);

    public static WatchFrame Failure(V1Status status) => new(WatchEventType.Error, null, 0, status);
}
