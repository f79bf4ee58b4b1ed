using k8s;
using k8s.Models;

namespace CniDashboard.Simulator.KubeApi.Store;

/// <summary>
/// What differs between resource types for the store: selectable fields, which of them are
/// indexed, the status subresource, generation tracking, create-time defaults.
/// </summary>
internal sealed class ResourceModel<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public required KubeResource Resource { get; init; }

    /// <summary>Selectable fields beyond <c>metadata.name</c> and <c>metadata.namespace</c>.</summary>
    public IReadOnlyDictionary<string, Func<T, string>> Fields { get; init; } = new Dictionary<string, Func<T, string>>();

    /// <summary>Fields (from <see cref="Fields"/>) kept in an index because selectors on them are frequent.</summary>
    public IReadOnlyList<string> IndexedFields { get; init; } = [];

    /// <summary>Extra internal indexes, e.g. pods by controlling owner uid for the DaemonSet controller.</summary>
    public IReadOnlyList<(string Name, Func<T, IEnumerable<string>> Values)> ExtraIndexes { get; init; } = [];

    /// <summary>Copies <c>status</c> from the first object to the second; null when the kind has no status subresource.</summary>
    public Action<T, T>? CopyStatus { get; init; }

    /// <summary>The spec, for kinds whose <c>metadata.generation</c> counts spec changes.</summary>
    public Func<T, object?>? Spec { get; init; }

    public Action<T>? ApplyCreateDefaults { get; init; }

    /// <summary>
    /// The API server's validation of a create sent over HTTP (the object and the path's namespace);
    /// throws a 422 <see cref="KubeApiException"/>. Simulator code writing in process skips it, as a
    /// controller writing straight to storage would.
    /// </summary>
    public Action<T, string?>? ValidateCreate { get; init; }

    /// <summary>Runs under the cluster lock after an object is deleted (a namespace takes its contents along).</summary>
    public Action<ClusterState, StoredObject>? AfterDelete { get; init; }

    /// <summary>Pods (and namespaces) answer a delete with the object; the rest with a Success Status.</summary>
    public bool DeleteReturnsObject { get; init; }

    public bool TryGetField(T value, string field, out string result)
    {
        switch (field)
        {
            case "metadata.name":
                result = value.Metadata.Name ?? "";
                return true;
            case "metadata.namespace":
                result = value.Metadata.NamespaceProperty ?? "";
                return true;
        }

        if (Fields.TryGetValue(field, out var read))
        {
            result = read(value);
            return true;
        }

        result = "";
        return false;
    }
}
