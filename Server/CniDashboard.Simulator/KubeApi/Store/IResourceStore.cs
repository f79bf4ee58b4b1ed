using System.Text.Json.Nodes;
using CniDashboard.Simulator.KubeApi.Patching;
using CniDashboard.Simulator.KubeApi.Watch;
using k8s.Models;

namespace CniDashboard.Simulator.KubeApi.Store;

/// <summary>Which part of an object an update may change, as the main resource and its <c>/status</c> subresource differ.</summary>
internal enum UpdateScope
{
    /// <summary>In-process callers (kubelet, controllers) change whatever they like.</summary>
    Whole,

    /// <summary>PUT/PATCH on the resource itself: status changes are ignored, as on the real server.</summary>
    MainResource,

    /// <summary>PUT/PATCH on <c>/status</c>: only status changes are kept.</summary>
    Status,
}

internal sealed record DeleteOutcome(StoredObject Deleted, bool ReturnsObject);

/// <summary>The untyped face of a store that the HTTP layer drives.</summary>
internal interface IResourceStore
{
    KubeResource Resource { get; }

    bool HasStatus { get; }

    StoredObject Read(string? @namespace, string name);

    ListPage List(ListQuery query, int? limit, string? continueToken);

    StoredObject CreateFromJson(string? @namespace, JsonNode body);

    /// <summary>Replaces the object; <paramref name="admit"/> sees the current and the new object (as JSON) before the write and may throw to refuse it.</summary>
    StoredObject ReplaceFromJson(string? @namespace, string name, JsonNode body, UpdateScope scope, Action<JsonObject, JsonObject>? admit = null);

    /// <summary>Patches the object; <paramref name="admit"/> sees the current and the patched object (as JSON) before the write and may throw to refuse it.</summary>
    StoredObject PatchFromJson(string? @namespace, string name, PatchKind kind, JsonNode? patch, UpdateScope scope, Action<JsonObject, JsonObject>? admit = null);

    DeleteOutcome Delete(string? @namespace, string name, V1Preconditions? preconditions);

    /// <summary>Opens a remote (bounded) watch; throws 410 Expired when the history no longer covers the version.</summary>
    WatchSubscription OpenWatch(ListQuery query, string? resourceVersion, int capacity);

    void CloseWatch(WatchSubscription subscription);

    void DeleteAllInNamespace(string @namespace);

    /// <summary>Drops cached list snapshots, so compacted continuations cannot be served from them.</summary>
    void ForgetSnapshots();
}
