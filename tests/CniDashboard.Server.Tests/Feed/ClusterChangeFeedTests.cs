using CniDashboard.Server.Feed;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Dashboard;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Server.Tests.Feed;

public sealed class ClusterChangeFeedTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ClusterChange Change(string node) => new() { Kind = ClusterChangeKind.NodeChanged, At = DateTimeOffset.UnixEpoch, Node = node };

    /// <summary>Advances fake time in batch-window steps until the pending read completes (deadline-bounded).</summary>
    private async Task<IReadOnlyList<ClusterChange>> NextBatchAsync(IAsyncEnumerator<IReadOnlyList<ClusterChange>> subscription, ValueTask<bool> pending)
    {
        var task = pending.AsTask();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!task.IsCompleted)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("no batch");
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(task, Task.Delay(5, Ct));
        }

        Assert.True(await task);
        return subscription.Current;
    }

    [Fact]
    public async Task A_burst_within_the_window_arrives_as_one_batch_and_nothing_arrives_before_it()
    {
        var feed = new ClusterChangeFeed(_time);
        await using var subscription = feed.SubscribeAsync(Ct).GetAsyncEnumerator(Ct);
        var pending = subscription.MoveNextAsync();
        Assert.Equal(1, feed.SubscriberCount);

        feed.Publish([Change("a"), Change("b")]);
        feed.Publish(Change("c"));
        Assert.False(pending.IsCompleted, "a batch must wait for its window");

        var batch = await NextBatchAsync(subscription, pending);
        Assert.Equal(["a", "b", "c"], batch.Select(c => c.Node));
    }

    [Fact]
    public async Task Every_subscriber_gets_every_change()
    {
        var feed = new ClusterChangeFeed(_time) { BatchWindow = TimeSpan.Zero };
        await using var one = feed.SubscribeAsync(Ct).GetAsyncEnumerator(Ct);
        await using var two = feed.SubscribeAsync(Ct).GetAsyncEnumerator(Ct);
        var p1 = one.MoveNextAsync();
        var p2 = two.MoveNextAsync();

        feed.Publish(Change("n1"));

        Assert.True(await p1);
        Assert.True(await p2);
        Assert.Equal("n1", Assert.Single(one.Current).Node);
        Assert.Equal("n1", Assert.Single(two.Current).Node);
    }

    [Fact]
    public async Task A_slow_subscriber_loses_its_oldest_changes_and_is_told_to_resync_while_publishers_never_wait()
    {
        var feed = new ClusterChangeFeed(_time) { Capacity = 5, BatchWindow = TimeSpan.Zero };
        await using var slow = feed.SubscribeAsync(Ct).GetAsyncEnumerator(Ct);
        var pending = slow.MoveNextAsync();
        feed.Publish(Change("first"));
        Assert.True(await pending);
        Assert.Equal("first", Assert.Single(slow.Current).Node);
        var started = DateTime.UtcNow;

        // The subscriber is not reading now; publishers go on regardless.
        for (var i = 0; i < 10_000; i++) feed.Publish(Change($"n{i}"));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));

        Assert.True(await slow.MoveNextAsync());
        var batch = slow.Current;
        Assert.Equal(ClusterChangeKind.Resync, batch[0].Kind);
        Assert.Contains("dropped", batch[0].Summary, StringComparison.Ordinal);
        Assert.Equal(["n9995", "n9996", "n9997", "n9998", "n9999"], batch.Skip(1).Select(c => c.Node));
    }

    [Fact]
    public async Task Cancelling_a_subscription_removes_it()
    {
        var feed = new ClusterChangeFeed(_time) { BatchWindow = TimeSpan.Zero };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var loop = Task.Run(async () =>
        {
            await foreach (var _ in feed.SubscribeAsync(cts.Token))
            {
            }
        }, Ct);
        await Eventually.WaitAsync(() => feed.SubscriberCount == 1, "the subscription");

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
        Assert.Equal(0, feed.SubscriberCount);
        feed.Publish(Change("after"));
    }
}
