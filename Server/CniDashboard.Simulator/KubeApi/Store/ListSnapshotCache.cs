namespace CniDashboard.Simulator.KubeApi.Store;

/// <summary>
/// The ordered result of recent paged lists, so the following pages are served from the same
/// point in time as the first (etcd serves them at the first page's revision). Bounded; an
/// evicted snapshot is rebuilt from the current state, as long as its revision is not compacted.
/// </summary>
internal sealed class ListSnapshotCache
{
    private readonly int _capacity;
    private readonly LinkedList<(string Key, StoredObject[] Items)> _entries = new();

    public ListSnapshotCache(int capacity)
    {
        _capacity = capacity;
    }

    public void Put(string key, StoredObject[] items)
    {
        Remove(key);
        _entries.AddFirst((key, items));
        while (_entries.Count > _capacity)
        {
            _entries.RemoveLast();
        }
    }

    public StoredObject[]? Get(string key)
    {
        for (var node = _entries.First; node is not null; node = node.Next)
        {
            if (node.Value.Key == key)
            {
                return node.Value.Items;
            }
        }

        return null;
    }

    public void Clear() => _entries.Clear();

    private void Remove(string key)
    {
        for (var node = _entries.First; node is not null; node = node.Next)
        {
            if (node.Value.Key == key)
            {
                _entries.Remove(node);
                return;
            }
        }
    }
}
