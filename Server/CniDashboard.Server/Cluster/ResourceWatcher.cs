using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CniDashboard.Server.Cluster;

/// <summary>Receives what a <see cref="ResourceWatcher{T}"/> sees.</summary>
public interface IResourceSink<in T>
{
    /// <summary>The full list after a (re)list: anything not in it is gone.</summary>
    void Reset(IReadOnlyList<T> items);

    /// <summary>
    /// Starts a (re)list whose pages follow. By default the objects are kept until the last page and
    /// passed to <see cref="Reset"/>; a sink of a large kind keeps only its own compact form of each
    /// page, so a list of 20,000 pods never holds 20,000 full pod objects at once.
    /// </summary>
    IResourceListing<T> BeginList() => new BufferedListing<T>(this);

    /// <summary>An object was added or modified.</summary>
    void Upsert(T item);

    /// <summary>An object was deleted (or no longer matches the selector).</summary>
    void Delete(T item);
}

/// <summary>A (re)list in progress: its pages, then its end. Abandoned (never completed) when the list fails.</summary>
public interface IResourceListing<in T>
{
    /// <summary>One page of the list.</summary>
    void Add(IReadOnlyList<T> page);

    /// <summary>The last page was added: the list replaces what the sink held.</summary>
    void Complete();
}

/// <summary>Keeps the listed objects themselves and hands them to <see cref="IResourceSink{T}.Reset"/>.</summary>
internal sealed class BufferedListing<T>(IResourceSink<T> sink) : IResourceListing<T>
{
    private readonly List<T> _items = [];

    public void Add(IReadOnlyList<T> page) => _items.AddRange(page);

    public void Complete() => sink.Reset(_items);
}

/// <summary>Keeps each listed object only in the sink's compact form (its facts) until the list is complete.</summary>
internal sealed class MappedListing<T, TFacts>(Func<T, TFacts> map, Action<IReadOnlyList<TFacts>> reset) : IResourceListing<T>
{
    private readonly List<TFacts> _facts = [];

    public void Add(IReadOnlyList<T> page)
    {
        foreach (var item in page) _facts.Add(map(item));
    }

    public void Complete() => reset(_facts);
}

/// <summary>One page of a list.</summary>
/// <param name="Items">The objects.</param>
/// <param name="ResourceVersion">The list's resourceVersion.</param>
/// <param name="Continue">The continue token, when more pages follow.</param>
public sealed record ListPage<T>(IReadOnlyList<T> Items, string? ResourceVersion, string? Continue);

/// <summary>Timing of a watch loop.</summary>
public sealed record WatchSettings
{
    /// <summary>Server-side timeout of one watch request (streams end and are resumed).</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>First retry delay.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Longest retry delay.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>List page size.</summary>
    public int PageSize { get; init; } = 500;
}

/// <summary>
/// A list-then-watch loop for one kind of object: list (paged), then watch from the list's
/// resourceVersion with bookmarks; when a stream ends, watch again from the last resourceVersion
/// seen; on 410 Gone (as an HTTP status or an ERROR event), list again and reconcile, so deletions
/// missed during the gap are reported; on other errors, back off exponentially with jitter.
/// </summary>
public sealed class ResourceWatcher<T>(
    string name,
    Func<string?, int, CancellationToken, Task<ListPage<T>>> list,
    Func<string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Object)>> watch,
    IResourceSink<T> sink,
    WatchHealthRegistry health,
    WatchSettings settings,
    TimeProvider time,
    ILogger logger)
    where T : IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The watch's name in health reports.</summary>
    public string Name { get; } = name;

    /// <summary>Relists done (the first list included).</summary>
    public int Lists { get; private set; }

    /// <summary>Runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        health.Register(Name);
        string? resourceVersion = null;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null)
                {
                    resourceVersion = await ListAsync(cancellationToken);
                    health.MarkSynced(Name);
                }

                var (next, expired, sawEvents) = await WatchAsync(resourceVersion, cancellationToken);
                if (sawEvents) failures = 0;
                if (expired)
                {
                    logger.LogInformation("Watch {Watch}: resourceVersion {Version} expired (410); relisting", Name, resourceVersion);
                    health.MarkDown(Name, "410 Gone: history expired; relisting");
                    resourceVersion = null;
                    continue;
                }

                // A stream ending is normal (server timeout): resume from where it got to.
                resourceVersion = next;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (IsGone(ex))
            {
                logger.LogInformation("Watch {Watch}: 410 Gone; relisting", Name);
                health.MarkDown(Name, "410 Gone: history expired; relisting");
                resourceVersion = null;
            }
            catch (Exception ex)
            {
                failures++;
                var delay = Backoff(failures);
                logger.LogWarning("Watch {Watch} failed ({Error}); retrying in {Delay} ms", Name, Describe(ex), (int)delay.TotalMilliseconds);
                health.MarkDown(Name, Describe(ex));
                try
                {
                    await Task.Delay(delay, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        // Each page goes to the sink as it arrives (the sink keeps what it needs of it), so only one
        // page of full objects is alive at a time; nothing is applied unless the whole list is read.
        var listing = sink.BeginList();
        var count = 0;
        string? continueToken = null;
        string? resourceVersion;
        do
        {
            var page = await list(continueToken, settings.PageSize, cancellationToken);
            listing.Add(page.Items);
            count += page.Items.Count;
            resourceVersion = page.ResourceVersion;
            continueToken = string.IsNullOrEmpty(page.Continue) ? null : page.Continue;
        }
        while (continueToken is not null);

        listing.Complete();
        Lists++;
        logger.LogDebug("Watch {Watch}: listed {Count} at resourceVersion {Version}", Name, count, resourceVersion);
        return resourceVersion ?? "";
    }

    private async Task<(string ResourceVersion, bool Expired, bool SawEvents)> WatchAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? streamError = null;
        var sawEvents = false;
        void OnError(Exception ex)
        {
            if (ex is KubernetesException)
            {
                // An ERROR event (a Status): stop reading this stream and decide what to do with it.
                streamError ??= ex;
                stream.Cancel();
            }
            else
            {
                logger.LogWarning("Watch {Watch}: unreadable event skipped ({Error})", Name, ex.Message);
            }
        }

        var timeoutSeconds = (int)Math.Max(1, settings.WatchTimeout.TotalSeconds * (0.8 + (Random.Shared.NextDouble() * 0.4)));
        health.MarkUp(Name);
        try
        {
            await foreach (var (type, item) in watch(resourceVersion, timeoutSeconds, OnError, stream.Token))
            {
                sawEvents = true;
                switch (type)
                {
                    case WatchEventType.Added:
                    case WatchEventType.Modified:
                        sink.Upsert(item);
                        break;
                    case WatchEventType.Deleted:
                        sink.Delete(item);
                        break;
                }

                if (item?.Metadata?.ResourceVersion is { Length: > 0 } rv) resourceVersion = rv;
            }
        }
        catch (OperationCanceledException) when (streamError is not null && !cancellationToken.IsCancellationRequested)
        {
        }

        if (streamError is not null)
        {
            if (IsGone(streamError)) return (resourceVersion, true, sawEvents);
            throw streamError;
        }

        return (resourceVersion, false, sawEvents);
    }

    private TimeSpan Backoff(int failures)
    {
        var exponential = settings.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16));
        var capped = Math.Min(exponential, settings.MaxBackoff.TotalMilliseconds);
        // Full jitter on the upper half, so many dashboards (or watches) do not retry in step.
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }

    /// <summary>True for 410 Gone as an HTTP status or as a Status in an ERROR event.</summary>
    public static bool IsGone(Exception ex) => ex switch
    {
        KubernetesException k => k.Status?.Code == (int)HttpStatusCode.Gone,
        HttpOperationException h => h.Response?.StatusCode == HttpStatusCode.Gone,
        _ => false,
    };

    private static string Describe(Exception ex) => ex switch
    {
        HttpOperationException h => $"HTTP {(int?)h.Response?.StatusCode} {h.Response?.ReasonPhrase}".TrimEnd(),
        KubernetesException k => $"{k.Status?.Code} {k.Status?.Reason}: {k.Status?.Message}",
        HttpRequestException r => r.Message,
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };
}
