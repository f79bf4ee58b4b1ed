using System.Runtime;

namespace CniDashboard.Server.Fleet;

/// <summary>
/// Returns the garbage of bulk work (a first poll of thousands of nodes, a whole-fleet analysis pass)
/// to the OS right away. Such a pass allocates a few hundred MiB that a workstation GC would
/// otherwise keep committed until the next natural full collection, so resident memory would sit far
/// above what is live. Rate-limited, so it never turns into a GC loop.
/// </summary>
public sealed class MemoryTrimmer(TimeProvider time)
{
    /// <summary>Least time between two trims.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(30);

    private long _last = long.MinValue;

    /// <summary>Trims done since start.</summary>
    public int Trims { get; private set; }

    /// <summary>Call after bulk work: compacts and decommits unless a trim ran within <see cref="MinInterval"/>.</summary>
    public void AfterBulkWork()
    {
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _last);
        if (last != long.MinValue && time.GetElapsedTime(last, now) < MinInterval) return;
        if (Interlocked.CompareExchange(ref _last, now, last) != last) return;
        Trim();
    }

    /// <summary>
    /// Call from within long bulk work after a large, fixed share of it (e.g. every 1,000 snapshots of a
    /// first round over 5,000 nodes): trims whatever the time, since the work itself spaces the calls,
    /// so the work's garbage never piles up over the whole of it. The time limit of
    /// <see cref="AfterBulkWork"/> counts from here.
    /// </summary>
    public void DuringBulkWork()
    {
        Interlocked.Exchange(ref _last, time.GetTimestamp());
        Trim();
    }

    private void Trim()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Trims++;
    }
}
