namespace CniDashboard.Simulator.KubeApi.Store;

/// <summary>
/// value → keys of the objects carrying it, so a selector on an indexed value touches only its
/// matches instead of every object (listing the pods of one node among 30,000 stays cheap).
/// </summary>
internal sealed class ObjectIndex
{
    private readonly Dictionary<string, HashSet<string>> _keysByValue = new(StringComparer.Ordinal);
    private readonly Func<StoredObject, IEnumerable<string>> _valuesOf;

    public ObjectIndex(string name, Func<StoredObject, IEnumerable<string>> valuesOf)
    {
        Name = name;
        _valuesOf = valuesOf;
    }

    public string Name { get; }

    public IReadOnlyCollection<string> Lookup(string value) =>
        _keysByValue.TryGetValue(value, out var keys) ? keys : [];

    public void Update(StoredObject? previous, StoredObject? current)
    {
        if (previous is not null)
        {
            foreach (var value in _valuesOf(previous))
            {
                if (_keysByValue.TryGetValue(value, out var keys))
                {
                    keys.Remove(previous.Key);
                    if (keys.Count == 0)
                    {
                        _keysByValue.Remove(value);
                    }
                }
            }
        }

        if (current is not null)
        {
            foreach (var value in _valuesOf(current))
            {
                if (!_keysByValue.TryGetValue(value, out var keys))
                {
                    keys = new HashSet<string>(StringComparer.Ordinal);
                    _keysByValue[value] = keys;
                }

                keys.Add(current.Key);
            }
        }
    }
}
