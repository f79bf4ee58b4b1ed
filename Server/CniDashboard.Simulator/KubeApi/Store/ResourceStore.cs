using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CniDashboard.Simulator.KubeApi.Patching;
using CniDashboard.Simulator.KubeApi.Selectors;
using CniDashboard.Simulator.KubeApi.Watch;
using k8s;
using k8s.Models;

namespace CniDashboard.Simulator.KubeApi.Store;

/// <summary>
/// The objects of one resource type, with the verbs of the real API: get, list, create, replace,
/// patch, delete and watch. Every mutation takes the cluster-wide resourceVersion and appends one
/// change to the shared watch history. Objects handed out are copies; change them and write them back.
/// </summary>
public sealed class ResourceStore<T> : IResourceStore
    where T : class, IKubernetesObject<V1ObjectMeta>, new()
{
    private const string LabelIndexName = "labels";
    private const string NamespaceIndexName = "metadata.namespace";

    private readonly ClusterState _cluster;
    private readonly ResourceModel<T> _model;
    private readonly Dictionary<string, StoredObject> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ObjectIndex> _indexes = new(StringComparer.Ordinal);
    private readonly ListSnapshotCache _snapshots;

    internal ResourceStore(ClusterState cluster, ResourceModel<T> model, int listSnapshotCapacity)
    {
        _cluster = cluster;
        _model = model;
        _snapshots = new ListSnapshotCache(listSnapshotCapacity);

        AddIndex(LabelIndexName, o => LabelTerms(o.Metadata.Labels));
        if (model.Resource.Namespaced)
        {
            AddIndex(NamespaceIndexName, o => [o.Namespace ?? ""]);
        }

        foreach (var field in model.IndexedFields)
        {
            var read = model.Fields[field];
            AddIndex(field, o => [read((T)o.Value)]);
        }

        foreach (var (name, values) in model.ExtraIndexes)
        {
            AddIndex(name, o => values((T)o.Value));
        }
    }

    public KubeResource Resource => _model.Resource;

    bool IResourceStore.HasStatus => _model.CopyStatus is not null;

    public int Count
    {
        get
        {
            lock (_cluster.Gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>A copy of a cluster-scoped object, or null.</summary>
    public T? Get(string name) => Get(null, name);

    /// <summary>A copy of the object, or null when there is none.</summary>
    public T? Get(string? @namespace, string name)
    {
        StoredObject? stored;
        lock (_cluster.Gate)
        {
            stored = _items.GetValueOrDefault(KeyFor(@namespace, name));
        }

        return stored is null ? null : Copy(stored);
    }

    /// <summary>Copies of the matching objects in key order; selectors use the query-string syntax.</summary>
    public IReadOnlyList<T> List(string? @namespace = null, string? labelSelector = null, string? fieldSelector = null)
    {
        var query = ListQuery.Of(@namespace, labelSelector, fieldSelector);
        StoredObject[] items;
        lock (_cluster.Gate)
        {
            items = Select(query);
        }

        return [.. items.Select(Copy)];
    }

    /// <summary>Creates the object (name or generateName required) and returns it as stored.</summary>
    public T Create(T value)
    {
        var candidate = Copy(value);
        lock (_cluster.Gate)
        {
            return Copy(CommitCreate(candidate, null));
        }
    }

    /// <summary>
    /// Re-creates an object with the uid and creation time it had, as restoring etcd from a backup
    /// would; lets a simulation resume after a restart with the same pods (and so the same bound tokens).
    /// </summary>
    public T Restore(T value)
    {
        var candidate = Copy(value);
        lock (_cluster.Gate)
        {
            return Copy(CommitCreate(candidate, null, keepIdentity: true));
        }
    }

    /// <summary>Replaces the object; a stale <c>metadata.resourceVersion</c> is a 409 Conflict.</summary>
    public T Replace(T value)
    {
        var candidate = Copy(value);
        var name = candidate.Metadata?.Name ?? throw KubeApiException.BadRequest("name is required");
        lock (_cluster.Gate)
        {
            var current = ReadLocked(candidate.Metadata.NamespaceProperty, name);
            return Copy(CommitUpdate(current, candidate, UpdateScope.Whole, candidate.Metadata.ResourceVersion));
        }
    }

    /// <summary>Read-modify-write under the cluster lock, so it never conflicts; for simulator code.</summary>
    public T Update(string? @namespace, string name, Action<T> mutate)
    {
        ArgumentNullException.ThrowIfNull(mutate);
        lock (_cluster.Gate)
        {
            var current = ReadLocked(@namespace, name);
            var candidate = Copy(current);
            mutate(candidate);
            return Copy(CommitUpdate(current, candidate, UpdateScope.Whole, null));
        }
    }

    /// <summary>Applies a merge, strategic-merge or JSON patch, as <c>kubectl patch</c> would.</summary>
    public T Patch(string? @namespace, string name, PatchKind kind, string patch)
    {
        var node = JsonNode.Parse(patch);
        lock (_cluster.Gate)
        {
            return Copy(PatchLocked(@namespace, name, kind, node, UpdateScope.Whole));
        }
    }

    /// <summary>Deletes the object now and returns its last state.</summary>
    public T Delete(string? @namespace, string name)
    {
        lock (_cluster.Gate)
        {
            return Copy(DeleteLocked(@namespace, name, null));
        }
    }

    /// <summary>
    /// An in-process watch: without <paramref name="resourceVersion"/> it starts with an ADDED for every
    /// matching object, then follows every change. Unbounded, so a simulator consumer is never dropped.
    /// </summary>
    public async IAsyncEnumerable<ResourceChange<T>> WatchAsync(
        string? @namespace = null,
        string? labelSelector = null,
        string? fieldSelector = null,
        string? resourceVersion = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var subscription = OpenWatchCore(ListQuery.Of(@namespace, labelSelector, fieldSelector), resourceVersion, capacity: 0, remote: false);
        try
        {
            await foreach (var frame in subscription.Frames.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (frame.Object is { } stored)
                {
                    yield return new ResourceChange<T>(frame.Type, Copy(stored), frame.ResourceVersion);
                }
            }
        }
        finally
        {
            CloseWatch(subscription);
        }
    }

    /// <summary>An in-process subscription to every change, starting with an ADDED per existing object; for controllers.</summary>
    internal WatchSubscription Subscribe() =>
        OpenWatchCore(new ListQuery(null, LabelSelector.Everything, FieldSelector.Everything), null, capacity: 0, remote: false);

    /// <summary>The stored instances themselves, for controllers that only read them. Never mutate these.</summary>
    internal IReadOnlyList<T> ListShared(string? @namespace = null, LabelSelector? labels = null)
    {
        lock (_cluster.Gate)
        {
            return [.. Select(new ListQuery(@namespace, labels ?? LabelSelector.Everything, FieldSelector.Everything)).Select(o => (T)o.Value)];
        }
    }

    /// <summary>Stored instances carrying <paramref name="value"/> in the named index. Never mutate these.</summary>
    internal IReadOnlyList<T> ListSharedByIndex(string indexName, string value)
    {
        lock (_cluster.Gate)
        {
            return [.. _indexes[indexName].Lookup(value).Select(key => (T)_items[key].Value)];
        }
    }

    StoredObject IResourceStore.Read(string? @namespace, string name)
    {
        lock (_cluster.Gate)
        {
            return ReadLocked(@namespace, name);
        }
    }

    ListPage IResourceStore.List(ListQuery query, int? limit, string? continueToken)
    {
        lock (_cluster.Gate)
        {
            return ListLocked(query, limit, continueToken);
        }
    }

    StoredObject IResourceStore.CreateFromJson(string? @namespace, JsonNode body)
    {
        var candidate = FromJson(body);
        _model.ValidateCreate?.Invoke(candidate, @namespace);
        lock (_cluster.Gate)
        {
            return CommitCreate(candidate, @namespace);
        }
    }

    StoredObject IResourceStore.ReplaceFromJson(string? @namespace, string name, JsonNode body, UpdateScope scope, Action<JsonObject, JsonObject>? admit)
    {
        var candidate = FromJson(body);
        candidate.Metadata ??= new V1ObjectMeta();
        if (candidate.Metadata.Name is { Length: > 0 } bodyName && bodyName != name)
        {
            throw KubeApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        CheckBodyNamespace(@namespace, candidate);
        lock (_cluster.Gate)
        {
            var current = ReadLocked(@namespace, name);
            admit?.Invoke((JsonObject)JsonNode.Parse(current.Json)!, (JsonObject)JsonNode.Parse(Serialize(candidate))!);
            return CommitUpdate(current, candidate, scope, candidate.Metadata.ResourceVersion);
        }
    }

    StoredObject IResourceStore.PatchFromJson(string? @namespace, string name, PatchKind kind, JsonNode? patch, UpdateScope scope, Action<JsonObject, JsonObject>? admit)
    {
        lock (_cluster.Gate)
        {
            return PatchLocked(@namespace, name, kind, patch, scope, admit);
        }
    }

    DeleteOutcome IResourceStore.Delete(string? @namespace, string name, V1Preconditions? preconditions)
    {
        lock (_cluster.Gate)
        {
            return new DeleteOutcome(DeleteLocked(@namespace, name, preconditions), _model.DeleteReturnsObject);
        }
    }

    WatchSubscription IResourceStore.OpenWatch(ListQuery query, string? resourceVersion, int capacity) =>
        OpenWatchCore(query, resourceVersion, capacity, remote: true);

    void IResourceStore.CloseWatch(WatchSubscription subscription) => CloseWatch(subscription);

    internal void CloseWatch(WatchSubscription subscription)
    {
        lock (_cluster.Gate)
        {
            subscription.Close();
            _cluster.Hub.Remove(subscription);
        }
    }

    void IResourceStore.DeleteAllInNamespace(string @namespace)
    {
        lock (_cluster.Gate)
        {
            foreach (var key in _indexes[NamespaceIndexName].Lookup(@namespace).ToArray())
            {
                var stored = _items[key];
                DeleteLocked(stored.Namespace, stored.Name, null);
            }
        }
    }

    internal bool ContainsLocked(string? @namespace, string name) => _items.ContainsKey(KeyFor(@namespace, name));

    void IResourceStore.ForgetSnapshots() => _snapshots.Clear();

    private WatchSubscription OpenWatchCore(ListQuery query, string? resourceVersion, int capacity, bool remote)
    {
        ValidateFields(query.Fields);
        lock (_cluster.Gate)
        {
            List<StoredObject>? initial = null;
            List<ChangeRecord>? replay = null;
            if (string.IsNullOrEmpty(resourceVersion) || resourceVersion == "0")
            {
                // No version (or "any version"): the current state as ADDED events, then live changes.
                initial = [.. Select(query)];
            }
            else
            {
                var from = ParseResourceVersion(resourceVersion);
                if (!_cluster.History.CanResumeFrom(from))
                {
                    throw KubeApiException.TooOldResourceVersion(from, _cluster.History.CompactedThrough);
                }

                replay = [.. _cluster.History.Since(from).Where(c => c.Resource == Resource)];
            }

            var backlog = (initial?.Count ?? 0) + (replay?.Count ?? 0);
            var subscription = new WatchSubscription(Resource, o => Matches(o, query), capacity == 0 ? 0 : capacity + backlog) { IsRemote = remote };
            foreach (var stored in initial ?? [])
            {
                subscription.OfferInitial(stored);
            }

            foreach (var change in replay ?? [])
            {
                subscription.Offer(change);
            }

            _cluster.Hub.Add(subscription);
            return subscription;
        }
    }

    private ListPage ListLocked(ListQuery query, int? limit, string? continueToken)
    {
        ValidateFields(query.Fields);
        StoredObject[] all;
        long listVersion;
        var start = 0;
        if (string.IsNullOrEmpty(continueToken))
        {
            all = Select(query);
            listVersion = _cluster.ResourceVersionLocked;
        }
        else
        {
            var token = ContinueToken.Decode(continueToken);
            if (!_cluster.History.CanResumeFrom(token.ResourceVersion))
            {
                throw KubeApiException.ContinueExpired();
            }

            listVersion = token.ResourceVersion;
            all = _snapshots.Get(SnapshotKey(query, listVersion)) ?? Select(query);
            start = FirstAfter(all, token.AfterKey);
        }

        var remaining = all.Length - start;
        if (limit is not > 0 || remaining <= limit)
        {
            return new ListPage(listVersion, new ArraySegment<StoredObject>(all, start, remaining), null, null);
        }

        var page = new ArraySegment<StoredObject>(all, start, limit.Value);
        _snapshots.Put(SnapshotKey(query, listVersion), all);
        var next = ContinueToken.Encode(listVersion, page[^1].Key);
        // Like the real server, the count of what is left is only given for unfiltered lists.
        long? left = query.SelectsEverything ? remaining - limit.Value : null;
        return new ListPage(listVersion, page, next, left);
    }

    private StoredObject[] Select(ListQuery query)
    {
        var candidates = Candidates(query);
        var matches = new List<StoredObject>(candidates is ICollection<StoredObject> c ? c.Count : 16);
        foreach (var stored in candidates)
        {
            if (Matches(stored, query))
            {
                matches.Add(stored);
            }
        }

        var result = matches.ToArray();
        Array.Sort(result, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return result;
    }

    /// <summary>The smallest set an index can narrow the query to; the full filter still runs on it.</summary>
    private IEnumerable<StoredObject> Candidates(ListQuery query)
    {
        if (query.Fields.EqualityValue("metadata.name") is { } name && (query.Namespace is not null || !Resource.Namespaced))
        {
            return _items.TryGetValue(KeyFor(query.Namespace, name), out var one) ? [one] : [];
        }

        IReadOnlyCollection<string>? best = null;
        void Consider(IReadOnlyCollection<string> keys)
        {
            if (best is null || keys.Count < best.Count)
            {
                best = keys;
            }
        }

        if (query.Namespace is not null && _indexes.TryGetValue(NamespaceIndexName, out var byNamespace))
        {
            Consider(byNamespace.Lookup(query.Namespace));
        }

        foreach (var field in _model.IndexedFields)
        {
            if (query.Fields.EqualityValue(field) is { } value)
            {
                Consider(_indexes[field].Lookup(value));
            }
        }

        foreach (var requirement in query.Labels.Requirements)
        {
            if (requirement.EqualityValue is { } value)
            {
                Consider(_indexes[LabelIndexName].Lookup(LabelTerm(requirement.Key, value)));
            }
        }

        return best is null ? _items.Values : best.Select(key => _items[key]);
    }

    private bool Matches(StoredObject stored, ListQuery query)
    {
        if (query.Namespace is not null && Resource.Namespaced && stored.Namespace != query.Namespace)
        {
            return false;
        }

        if (!query.Labels.Matches(stored.Metadata.Labels))
        {
            return false;
        }

        foreach (var requirement in query.Fields.Requirements)
        {
            _model.TryGetField((T)stored.Value, requirement.Field, out var actual);
            if (!requirement.Matches(actual))
            {
                return false;
            }
        }

        return true;
    }

    private void ValidateFields(FieldSelector fields)
    {
        foreach (var requirement in fields.Requirements)
        {
            if (requirement.Field is not ("metadata.name" or "metadata.namespace") && !_model.Fields.ContainsKey(requirement.Field))
            {
                throw KubeApiException.BadRequest($"field label not supported: {requirement.Field}");
            }
        }
    }

    private StoredObject CommitCreate(T candidate, string? pathNamespace, bool keepIdentity = false)
    {
        var meta = candidate.Metadata ??= new V1ObjectMeta();
        CheckBodyNamespace(pathNamespace, candidate);
        if (Resource.Namespaced)
        {
            meta.NamespaceProperty = pathNamespace ?? (string.IsNullOrEmpty(meta.NamespaceProperty) ? "default" : meta.NamespaceProperty);
            if (!_cluster.NamespaceExistsLocked(meta.NamespaceProperty))
            {
                throw KubeApiException.NamespaceNotFound(meta.NamespaceProperty);
            }
        }
        else
        {
            meta.NamespaceProperty = null;
        }

        if (string.IsNullOrEmpty(meta.Name))
        {
            if (string.IsNullOrEmpty(meta.GenerateName))
            {
                throw KubeApiException.Invalid(Resource, "", "metadata.name", "Required value: name or generateName is required");
            }

            do
            {
                meta.Name = meta.GenerateName + _cluster.Names.RandomSuffix();
            }
            while (_items.ContainsKey(KeyFor(meta.NamespaceProperty, meta.Name)));
        }

        CheckName(meta.Name);
        var key = KeyFor(meta.NamespaceProperty, meta.Name);
        if (_items.ContainsKey(key))
        {
            throw KubeApiException.AlreadyExists(Resource, meta.Name);
        }

        candidate.ApiVersion = Resource.ApiVersion;
        candidate.Kind = Resource.Kind;
        meta.Uid = keepIdentity && !string.IsNullOrEmpty(meta.Uid) ? meta.Uid : _cluster.Names.NewUid();
        meta.CreationTimestamp = keepIdentity && meta.CreationTimestamp is not null ? meta.CreationTimestamp : _cluster.NowToTheSecond();
        meta.DeletionTimestamp = null;
        meta.ManagedFields = null;
        meta.Generation = _model.Spec is null ? meta.Generation : 1;
        _model.ApplyCreateDefaults?.Invoke(candidate);
        return Commit(WatchEventType.Added, key, candidate, previous: null);
    }

    private StoredObject CommitUpdate(StoredObject current, T candidate, UpdateScope scope, string? expectedResourceVersion)
    {
        if (!string.IsNullOrEmpty(expectedResourceVersion) && expectedResourceVersion != current.Metadata.ResourceVersion)
        {
            throw KubeApiException.Conflict(Resource, current.Name);
        }

        candidate.Metadata ??= new V1ObjectMeta();
        if (!string.IsNullOrEmpty(candidate.Metadata.Uid) && candidate.Metadata.Uid != current.Uid)
        {
            throw KubeApiException.PreconditionFailed(Resource, current.Name, "UID", candidate.Metadata.Uid, current.Uid ?? "");
        }

        var previous = (T)current.Value;
        if (scope == UpdateScope.Status)
        {
            // Only the status of the request counts; everything else stays as stored.
            var result = Copy(current);
            _model.CopyStatus?.Invoke(candidate, result);
            candidate = result;
        }
        else if (scope == UpdateScope.MainResource)
        {
            _model.CopyStatus?.Invoke(previous, candidate);
        }

        var meta = candidate.Metadata;
        meta.Name = current.Name;
        meta.NamespaceProperty = current.Namespace;
        meta.Uid = current.Uid;
        meta.CreationTimestamp = current.Metadata.CreationTimestamp;
        meta.DeletionTimestamp = current.Metadata.DeletionTimestamp;
        meta.GenerateName ??= current.Metadata.GenerateName;
        meta.ManagedFields = null;
        meta.Generation = current.Metadata.Generation;
        if (_model.Spec is { } spec && !SameJson(spec(previous), spec(candidate)))
        {
            meta.Generation = (current.Metadata.Generation ?? 0) + 1;
        }

        candidate.ApiVersion = Resource.ApiVersion;
        candidate.Kind = Resource.Kind;

        // An update that changes nothing is answered with the object as it is, without a new version or event.
        meta.ResourceVersion = current.Metadata.ResourceVersion;
        if (Serialize(candidate).AsSpan().SequenceEqual(current.Json))
        {
            return current;
        }

        return Commit(WatchEventType.Modified, current.Key, candidate, current);
    }

    private StoredObject PatchLocked(string? @namespace, string name, PatchKind kind, JsonNode? patch, UpdateScope scope, Action<JsonObject, JsonObject>? admit = null)
    {
        var current = ReadLocked(@namespace, name);
        var document = JsonNode.Parse(current.Json)!;
        var patched = kind == PatchKind.Json ? JsonPatch.Apply(document, patch) : MergePatch.Apply(document, patch);
        if (patched is not JsonObject patchedObject)
        {
            throw KubeApiException.UnprocessablePatch("the patch did not produce an object");
        }

        admit?.Invoke((JsonObject)JsonNode.Parse(current.Json)!, patchedObject);

        // A resourceVersion written by the patch is a precondition on the current version.
        var expected = (string?)patchedObject["metadata"]?["resourceVersion"];
        return CommitUpdate(current, FromJson(patchedObject), scope, expected);
    }

    private StoredObject DeleteLocked(string? @namespace, string name, V1Preconditions? preconditions)
    {
        var current = ReadLocked(@namespace, name);
        if (preconditions?.Uid is { Length: > 0 } uid && uid != current.Uid)
        {
            throw KubeApiException.PreconditionFailed(Resource, name, "UID", uid, current.Uid ?? "");
        }

        if (preconditions?.ResourceVersion is { Length: > 0 } version && version != current.Metadata.ResourceVersion)
        {
            throw KubeApiException.PreconditionFailed(Resource, name, "ResourceVersion", version, current.Metadata.ResourceVersion);
        }

        // The DELETED event carries the object at the version of its deletion, as etcd reports it.
        var tombstone = Copy(current);
        var resourceVersion = _cluster.NextResourceVersionLocked();
        tombstone.Metadata.ResourceVersion = resourceVersion.ToString(CultureInfo.InvariantCulture);
        var deleted = new StoredObject(current.Key, tombstone, resourceVersion, Serialize(tombstone));
        _items.Remove(current.Key);
        foreach (var index in _indexes.Values)
        {
            index.Update(current, null);
        }

        _cluster.PublishLocked(new ChangeRecord(resourceVersion, Resource, WatchEventType.Deleted, deleted, current));
        _model.AfterDelete?.Invoke(_cluster, deleted);
        return deleted;
    }

    private StoredObject Commit(WatchEventType type, string key, T candidate, StoredObject? previous)
    {
        var resourceVersion = _cluster.NextResourceVersionLocked();
        candidate.Metadata.ResourceVersion = resourceVersion.ToString(CultureInfo.InvariantCulture);
        var stored = new StoredObject(key, candidate, resourceVersion, Serialize(candidate));
        _items[key] = stored;
        foreach (var index in _indexes.Values)
        {
            index.Update(previous, stored);
        }

        _cluster.PublishLocked(new ChangeRecord(resourceVersion, Resource, type, stored, previous));
        return stored;
    }

    private StoredObject ReadLocked(string? @namespace, string name)
    {
        if (Resource.Namespaced && string.IsNullOrEmpty(@namespace))
        {
            throw KubeApiException.BadRequest($"a namespace is required to address {Resource.QualifiedName} \"{name}\"");
        }

        return _items.TryGetValue(KeyFor(@namespace, name), out var stored)
            ? stored
            : throw KubeApiException.NotFound(Resource, name);
    }

    private string KeyFor(string? @namespace, string name) =>
        StoredObject.KeyOf(Resource.Namespaced ? @namespace : null, name);

    private void CheckBodyNamespace(string? pathNamespace, T candidate)
    {
        var bodyNamespace = candidate.Metadata?.NamespaceProperty;
        if (Resource.Namespaced && pathNamespace is not null && !string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != pathNamespace)
        {
            throw KubeApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    private void CheckName(string name)
    {
        if (name.Length > 253 || name.Contains('/', StringComparison.Ordinal) || name.Contains('%', StringComparison.Ordinal) || name is "." or "..")
        {
            throw KubeApiException.Invalid(Resource, name, "metadata.name", $"Invalid value: \"{name}\": may not contain '/' or '%' and must be no more than 253 characters");
        }
    }

    private T FromJson(JsonNode body)
    {
        var kind = (string?)body["kind"];
        if (!string.IsNullOrEmpty(kind) && kind != Resource.Kind)
        {
            throw KubeApiException.BadRequest($"{kind} in version \"{Resource.Version}\" cannot be handled as a {Resource.Kind}: the kind does not match");
        }

        try
        {
            var value = KubernetesJson.Deserialize<T>(body);
            value.Metadata ??= new V1ObjectMeta();
            return value;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw KubeApiException.BadRequest($"{Resource.Kind} in version \"{Resource.Version}\" cannot be handled as a {Resource.Kind}: {e.Message}");
        }
    }

    private static T Copy(StoredObject stored) => KubernetesJson.Deserialize<T>(new MemoryStream(stored.Json, writable: false));

    private static T Copy(T value) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(value));

    private static byte[] Serialize(T value) => Encoding.UTF8.GetBytes(KubernetesJson.Serialize(value));

    private static bool SameJson(object? a, object? b) =>
        (a is null && b is null) || (a is not null && b is not null && KubernetesJson.Serialize(a) == KubernetesJson.Serialize(b));

    private static long ParseResourceVersion(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw KubeApiException.BadRequest($"resourceVersion: Invalid value: \"{text}\": strconv.ParseUint: parsing \"{text}\": invalid syntax");

    private static int FirstAfter(StoredObject[] sorted, string key)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (string.CompareOrdinal(sorted[mid].Key, key) <= 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private static string SnapshotKey(ListQuery query, long resourceVersion) => $"{query.CacheKey}@{resourceVersion}";

    private void AddIndex(string name, Func<StoredObject, IEnumerable<string>> values) => _indexes[name] = new ObjectIndex(name, values);

    private static IEnumerable<string> LabelTerms(IDictionary<string, string>? labels) =>
        labels is null ? [] : labels.Select(pair => LabelTerm(pair.Key, pair.Value));

    private static string LabelTerm(string key, string value) => key + "\0" + value;
}
