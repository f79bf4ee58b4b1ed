using System.Net;
using System.Runtime.CompilerServices;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniDashboard.Server.Tests.Cluster;

/// <summary>
/// A paged list reaches the sink a page at a time (so a sink keeps only its facts of each page, not
/// every full object until the last page), and only a list read to its end replaces what it held.
/// </summary>
public sealed class PagedListTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pages_reach_the_sink_one_at_a_time_and_the_list_is_applied_once_complete()
    {
        var pods = Enumerable.Range(0, 7).Select(i => Pod($"cilium-{i}", $"ip-10-0-0-{i}")).ToArray();
        var sink = new RecordingSink();
        var (registry, run, cts) = Start(sink, (token, limit) => Task.FromResult(PageOf(pods, token, limit)));

        await Eventually.WaitAsync(() => registry.AllSynced, "the list to complete");
        await cts.CancelAsync();
        await run;

        Assert.Equal([3, 3, 1], sink.Pages);
        var applied = Assert.Single(sink.Applied);
        Assert.Equal(pods.Select(p => p.Metadata.Name), applied);
        Assert.Equal(0, sink.FullResets);
    }

    [Fact]
    public async Task A_list_that_fails_on_a_later_page_applies_nothing_and_the_next_full_list_applies_everything()
    {
        var pods = Enumerable.Range(0, 7).Select(i => Pod($"cilium-{i}", $"ip-10-0-0-{i}")).ToArray();
        var sink = new RecordingSink();
        var calls = 0;
        var (registry, run, cts) = Start(sink, (token, limit) =>
        {
            // The second page of the first attempt fails (e.g. the API server restarts mid-list).
            if (Interlocked.Increment(ref calls) == 2) throw new HttpRequestException("connection reset");
            return Task.FromResult(PageOf(pods, token, limit));
        });

        await Eventually.WaitAsync(() => registry.AllSynced, "the list to complete after the retry");
        await cts.CancelAsync();
        await run;

        var applied = Assert.Single(sink.Applied);
        Assert.Equal(pods.Select(p => p.Metadata.Name), applied);
        Assert.Equal([3, 3, 3, 1], sink.Pages);
    }

    [Fact]
    public async Task A_410_on_a_continue_token_relists_from_the_first_page_at_once()
    {
        var pods = Enumerable.Range(0, 7).Select(i => Pod($"cilium-{i}", $"ip-10-0-0-{i}")).ToArray();
        var sink = new RecordingSink();
        var tokens = new List<string?>();
        var (registry, run, cts) = Start(sink, (token, limit) =>
        {
            lock (tokens) tokens.Add(token);
            // The first attempt's continue token has expired by the time it is used (the server compacted its history).
            if (tokens.Count == 2) throw Gone();
            return Task.FromResult(PageOf(pods, token, limit));
        }, backoff: TimeSpan.FromMinutes(10));

        // A 410 is not a failure to back off from (10 min here): the list starts again from its first page at once.
        await Eventually.WaitAsync(() => registry.AllSynced, "the list to complete after the relist");
        await cts.CancelAsync();
        await run;

        Assert.Equal([null, "3", null, "3", "6"], tokens);
        var applied = Assert.Single(sink.Applied);
        Assert.Equal(pods.Select(p => p.Metadata.Name), applied);
    }

    private static HttpOperationException Gone() => new("410 Gone")
    {
        Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.Gone), "{\"kind\":\"Status\",\"code\":410,\"reason\":\"Expired\"}"),
    };

    private static (WatchHealthRegistry Registry, Task Run, CancellationTokenSource Cts) Start(RecordingSink sink, Func<string?, int, Task<ListPage<V1Pod>>> list, TimeSpan? backoff = null)
    {
        var registry = new WatchHealthRegistry(TimeProvider.System);
        var watcher = new ResourceWatcher<V1Pod>(
            "pods test",
            (token, limit, _) => list(token, limit),
            (_, _, _, ct) => Quiet(ct),
            sink,
            registry,
            new WatchSettings { PageSize = 3, InitialBackoff = backoff ?? TimeSpan.FromMilliseconds(10), MaxBackoff = backoff ?? TimeSpan.FromMilliseconds(20) },
            TimeProvider.System,
            NullLogger.Instance);
        var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        return (registry, watcher.RunAsync(cts.Token), cts);
    }

    private static ListPage<V1Pod> PageOf(V1Pod[] all, string? token, int limit)
    {
        var start = token is null ? 0 : int.Parse(token, System.Globalization.CultureInfo.InvariantCulture);
        var items = all.Skip(start).Take(limit).ToArray();
        var next = start + items.Length < all.Length ? (start + items.Length).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return new ListPage<V1Pod>(items, "42", next);
    }

    private static async IAsyncEnumerable<(WatchEventType, V1Pod)> Quiet([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A watch with nothing to tell: it ends only when the test stops the watcher.
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield break;
    }

    private static V1Pod Pod(string name, string node) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "kube-system", ResourceVersion = "1" },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "c", Image = "cilium:1" }] },
    };

    /// <summary>Keeps only each pod's name per page, as the product's sinks keep facts.</summary>
    private sealed class RecordingSink : IResourceSink<V1Pod>
    {
        public List<int> Pages { get; } = [];
        public List<string[]> Applied { get; } = [];
        public int FullResets { get; private set; }

        public void Reset(IReadOnlyList<V1Pod> items) => FullResets++;

        public IResourceListing<V1Pod> BeginList() => new Listing(this);

        public void Upsert(V1Pod item)
        {
        }

        public void Delete(V1Pod item)
        {
        }

        private sealed class Listing(RecordingSink sink) : IResourceListing<V1Pod>
        {
            private readonly List<string> _names = [];

            public void Add(IReadOnlyList<V1Pod> page)
            {
                lock (sink.Pages) sink.Pages.Add(page.Count);
                _names.AddRange(page.Select(p => p.Metadata.Name));
            }

            public void Complete()
            {
                lock (sink.Applied) sink.Applied.Add([.. _names]);
            }
        }
    }
}
