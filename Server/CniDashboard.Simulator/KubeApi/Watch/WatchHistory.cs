namespace CniDashboard.Simulator.KubeApi.Watch;

/// <summary>
/// The bounded window of recent changes a watch can resume from. Every change has the next
/// resourceVersion, so the window is contiguous: a watch from <c>rv</c> is served when every
/// change after <c>rv</c> is still here, and refused with 410 Expired otherwise.
/// </summary>
internal sealed class WatchHistory
{
    private readonly ChangeRecord?[] _ring;
    private int _start;
    private int _count;

    public WatchHistory(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new ChangeRecord?[capacity];
    }

    /// <summary>The highest resourceVersion whose successors are not all retained; watches must start at or after it.</summary>
    public long CompactedThrough { get; private set; }

    public int Count => _count;

    public void Append(ChangeRecord change)
    {
        if (_count == _ring.Length)
        {
            CompactedThrough = Math.Max(CompactedThrough, _ring[_start]!.ResourceVersion);
            _ring[_start] = change;
            _start = (_start + 1) % _ring.Length;
            return;
        }

        _ring[(_start + _count) % _ring.Length] = change;
        _count++;
    }

    /// <summary>Forgets everything up to <paramref name="resourceVersion"/>, as an etcd compaction would.</summary>
    public void CompactThrough(long resourceVersion)
    {
        Array.Clear(_ring);
        _start = 0;
        _count = 0;
        CompactedThrough = Math.Max(CompactedThrough, resourceVersion);
    }

    public bool CanResumeFrom(long resourceVersion) => resourceVersion >= CompactedThrough;

    /// <summary>Changes strictly after <paramref name="resourceVersion"/>, oldest first.</summary>
    public IEnumerable<ChangeRecord> Since(long resourceVersion)
    {
        for (var i = 0; i < _count; i++)
        {
            var change = _ring[(_start + i) % _ring.Length]!;
            if (change.ResourceVersion > resourceVersion)
            {
                yield return change;
            }
        }
    }
}
