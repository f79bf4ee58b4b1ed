namespace CniDashboard.Simulator.KubeApi.Watch;

/// <summary>The open watches per resource; touched only under the cluster's lock.</summary>
internal sealed class WatchHub
{
    private readonly Dictionary<KubeResource, List<WatchSubscription>> _byResource = [];

    public int Count { get; private set; }

    public void Add(WatchSubscription subscription)
    {
        if (!_byResource.TryGetValue(subscription.Resource, out var list))
        {
            list = [];
            _byResource[subscription.Resource] = list;
        }

        list.Add(subscription);
        Count++;
    }

    public void Remove(WatchSubscription subscription)
    {
        if (_byResource.TryGetValue(subscription.Resource, out var list) && list.Remove(subscription))
        {
            Count--;
        }
    }

    public void Dispatch(ChangeRecord change)
    {
        if (!_byResource.TryGetValue(change.Resource, out var list))
        {
            return;
        }

        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (!list[i].Offer(change))
            {
                list.RemoveAt(i);
                Count--;
            }
        }
    }

    public void CloseAll()
    {
        foreach (var list in _byResource.Values)
        {
            foreach (var subscription in list)
            {
                subscription.Close();
            }

            list.Clear();
        }

        Count = 0;
    }

    public IEnumerable<WatchSubscription> All => _byResource.Values.SelectMany(list => list);
}
