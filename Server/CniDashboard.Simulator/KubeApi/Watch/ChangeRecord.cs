using CniDashboard.Simulator.KubeApi.Store;
using k8s;

namespace CniDashboard.Simulator.KubeApi.Watch;

/// <summary>
/// One mutation as the watch history keeps it. <see cref="Previous"/> lets a selector-filtered watch
/// turn a MODIFIED into ADDED or DELETED when the object moves into or out of its selection.
/// </summary>
internal sealed record ChangeRecord(long ResourceVersion, KubeResource Resource, WatchEventType Type, StoredObject Current, StoredObject? Previous);
