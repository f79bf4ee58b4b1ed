using k8s;
using k8s.Models;

namespace CniDashboard.Simulator.KubeApi.Store;

/// <summary>
/// One version of one object as the store keeps it: the typed object, never handed out or mutated
/// after it is stored, and its JSON, serialized once so lists and watches only copy bytes.
/// </summary>
internal sealed class StoredObject
{
    public StoredObject(string key, IKubernetesObject<V1ObjectMeta> value, long resourceVersion, byte[] json)
    {
        Key = key;
        Value = value;
        ResourceVersion = resourceVersion;
        Json = json;
    }

    /// <summary><c>namespace/name</c> or <c>name</c>; sorting by it gives the real server's list order.</summary>
    public string Key { get; }

    public IKubernetesObject<V1ObjectMeta> Value { get; }

    public long ResourceVersion { get; }

    public byte[] Json { get; }

    public V1ObjectMeta Metadata => Value.Metadata;

    public string Name => Value.Metadata.Name;

    public string? Namespace => Value.Metadata.NamespaceProperty;

    public string? Uid => Value.Metadata.Uid;

    public static string KeyOf(string? @namespace, string name) =>
        string.IsNullOrEmpty(@namespace) ? name : $"{@namespace}/{name}";
}
