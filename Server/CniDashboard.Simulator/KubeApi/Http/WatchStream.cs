using System.Buffers;
using System.Globalization;
using System.Text;
using CniDashboard.Simulator.KubeApi.Store;
using CniDashboard.Simulator.KubeApi.Watch;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace CniDashboard.Simulator.KubeApi.Http;

/// <summary>
/// Serves one <c>?watch=1</c> request: newline-delimited <c>{"type":…,"object":…}</c> lines, each
/// flushed as it happens, bookmarks on a timer when asked for, and the real server's way of
/// refusing a too-old version: HTTP 200, one ERROR line carrying a 410 Status, end of stream.
/// </summary>
internal sealed class WatchStream
{
    private readonly ClusterState _cluster;
    private readonly IResourceStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _bookmarkInterval;

    public WatchStream(ClusterState cluster, IResourceStore store, TimeSpan bookmarkInterval)
    {
        _cluster = cluster;
        _store = store;
        _time = cluster.TimeProvider;
        _bookmarkInterval = bookmarkInterval;
    }

    public async Task ServeAsync(HttpContext context, ListQuery query, string? resourceVersion, bool allowBookmarks, int? timeoutSeconds, int bufferCapacity)
    {
        // The clocks start before the watch is registered, so anyone who sees the watch open (a test
        // about to advance a fake clock) also sees its timeout and bookmark timers running.
        using var timeout = timeoutSeconds is > 0
            ? new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds.Value), _time)
            : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, context.RequestAborted);
        WatchSubscription? subscription = null;
        using var bookmarks = allowBookmarks
            ? _time.CreateTimer(_ => SendBookmark(Volatile.Read(ref subscription)), null, _bookmarkInterval, _bookmarkInterval)
            : null;
        try
        {
            Volatile.Write(ref subscription, _store.OpenWatch(query, resourceVersion, bufferCapacity));
        }
        catch (KubeApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Gone)
        {
            await StartAsync(context).ConfigureAwait(false);
            await WriteLineAsync(context, ErrorLine(e.Status), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        try
        {
            await StartAsync(context).ConfigureAwait(false);
            await foreach (var frame in subscription.Frames.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await WriteLineAsync(context, FrameLine(frame), stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The timeoutSeconds elapsed or the client went away: the stream just ends, as on the real server.
        }
        finally
        {
            _store.CloseWatch(subscription);
        }
    }

    private void SendBookmark(WatchSubscription? subscription)
    {
        if (subscription is not null)
        {
            _cluster.SendBookmark(subscription);
        }
    }

    private static async Task StartAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-cache, private";
        await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteLineAsync(HttpContext context, byte[][] parts, CancellationToken cancellationToken)
    {
        var writer = context.Response.BodyWriter;
        foreach (var part in parts)
        {
            writer.Write(part);
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private byte[][] FrameLine(WatchFrame frame) => frame.Type switch
    {
        WatchEventType.Bookmark => [Prefix(frame.Type), BookmarkObject(frame.ResourceVersion), Suffix],
        WatchEventType.Error => ErrorLine(frame.Error!),
        _ => [Prefix(frame.Type), frame.Object!.Json, Suffix],
    };

    /// <summary>A bookmark's object is the watched kind with nothing but the resourceVersion.</summary>
    private byte[] BookmarkObject(long resourceVersion)
    {
        var resource = _store.Resource;
        var version = resourceVersion.ToString(CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetBytes($"{{\"kind\":\"{resource.Kind}\",\"apiVersion\":\"{resource.ApiVersion}\",\"metadata\":{{\"resourceVersion\":\"{version}\"}}}}");
    }

    private static byte[][] ErrorLine(V1Status status) =>
        [Prefix(WatchEventType.Error), KubeStatus.ToJson(status), Suffix];

    private static readonly byte[] Suffix = "}\n"u8.ToArray();

    private static readonly Dictionary<WatchEventType, byte[]> Prefixes = new()
    {
        [WatchEventType.Added] = Encoding.UTF8.GetBytes("{\"type\":\"ADDED\",\"object\":"),
        [WatchEventType.Modified] = Encoding.UTF8.GetBytes("{\"type\":\"MODIFIED\",\"object\":"),
        [WatchEventType.Deleted] = Encoding.UTF8.GetBytes("{\"type\":\"DELETED\",\"object\":"),
        [WatchEventType.Bookmark] = Encoding.UTF8.GetBytes("{\"type\":\"BOOKMARK\",\"object\":"),
        [WatchEventType.Error] = Encoding.UTF8.GetBytes("{\"type\":\"ERROR\",\"object\":"),
    };

    private static byte[] Prefix(WatchEventType type) => Prefixes[type];
}
