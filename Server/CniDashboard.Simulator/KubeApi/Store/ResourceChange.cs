using k8s;

namespace CniDashboard.Simulator.KubeApi.Store;

/// <summary>A change delivered to an in-process watcher; <see cref="Object"/> is the caller's own copy.</summary>
public sealed record ResourceChange<T>(WatchEventType Type, T Object, long ResourceVersion);
