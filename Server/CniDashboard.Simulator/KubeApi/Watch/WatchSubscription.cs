using System.Threading.Channels;
using CniDashboard.Simulator.KubeApi.Store;
using k8s;

namespace CniDashboard.Simulator.KubeApi.Watch;

/// <summary>
/// One open watch: its selection and its own queue. The cluster offers each change without ever
/// waiting, so a slow reader only ever hurts itself: when its bounded queue is full it is closed,
/// as the real API server closes an unresponsive watcher, and the client resumes from the last
/// resourceVersion it saw.
/// </summary>
internal sealed class WatchSubscription
{
    private readonly Channel<WatchFrame> _frames;
    private readonly Func<StoredObject, bool> _selects;

    public WatchSubscription(KubeResource resource, Func<StoredObject, bool> selects, int capacity)
    {
        Resource = resource;
        _selects = selects;
        _frames = capacity > 0
            ? Channel.CreateBounded<WatchFrame>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait })
            : Channel.CreateUnbounded<WatchFrame>(new UnboundedChannelOptions { SingleReader = true });
    }

    public KubeResource Resource { get; }

    /// <summary>An HTTP watch (bounded, closed by fault injection) rather than an in-process consumer.</summary>
    public bool IsRemote { get; init; }

    public ChannelReader<WatchFrame> Frames => _frames.Reader;

    /// <summary>Set when the subscription was closed because its reader fell too far behind.</summary>
    public bool ClosedAsSlow { get; private set; }

    public bool IsClosed { get; private set; }

    /// <summary>Queues the change as this watch sees it; false when the reader is too slow and the watch was closed.</summary>
    public bool Offer(ChangeRecord change)
    {
        if (IsClosed)
        {
            return false;
        }

        var frame = Translate(change);
        if (frame is null || _frames.Writer.TryWrite(frame.Value))
        {
            return true;
        }

        ClosedAsSlow = true;
        Close();
        return false;
    }

    public void OfferInitial(StoredObject current) => Write(WatchFrame.Event(WatchEventType.Added, current));

    public void OfferBookmark(long resourceVersion)
    {
        // A bookmark that does not fit is simply skipped: the next event carries a newer version anyway.
        if (!IsClosed)
        {
            _frames.Writer.TryWrite(WatchFrame.Bookmark(resourceVersion));
        }
    }

    public void Close()
    {
        IsClosed = true;
        _frames.Writer.TryComplete();
    }

    private void Write(WatchFrame frame)
    {
        if (!_frames.Writer.TryWrite(frame))
        {
            ClosedAsSlow = true;
            Close();
        }
    }

    /// <summary>
    /// A change seen through a selector: an object that starts matching is ADDED, one that stops
    /// matching is DELETED, as the API server's watch cache reports them.
    /// </summary>
    private WatchFrame? Translate(ChangeRecord change)
    {
        switch (change.Type)
        {
            case WatchEventType.Added:
                return _selects(change.Current) ? WatchFrame.Event(WatchEventType.Added, change.Current) : null;
            case WatchEventType.Deleted:
                return change.Previous is not null && _selects(change.Previous) ? WatchFrame.Event(WatchEventType.Deleted, change.Current) : null;
            default:
                var was = change.Previous is not null && _selects(change.Previous);
                var @is = _selects(change.Current);
                return (was, @is) switch
                {
                    (true, true) => WatchFrame.Event(WatchEventType.Modified, change.Current),
                    (false, true) => WatchFrame.Event(WatchEventType.Added, change.Current),
                    (true, false) => WatchFrame.Event(WatchEventType.Deleted, change.Current),
                    _ => null,
                };
        }
    }
}
