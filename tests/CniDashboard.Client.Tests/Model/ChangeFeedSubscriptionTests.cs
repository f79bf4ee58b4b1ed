using CniDashboard.Client.Model;
using CniDashboard.Client.Tests.Fakes;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Tests.Model;

public class ChangeFeedSubscriptionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(Deadline);
        while (!condition())
        {
            await Task.Delay(5, cts.Token);
        }
    }

    [Fact]
    public async Task Hands_batches_over_in_order_and_disposal_cancels_and_waits_for_the_loop()
    {
        var feed = new FakeClusterChangeFeed();
        var received = new List<ClusterChangeKind>();
        var subscription = ChangeFeedSubscription.Start(feed, batch =>
        {
            lock (received)
            {
                received.AddRange(batch.Select(c => c.Kind));
            }

            return Task.CompletedTask;
        }, _ => Task.CompletedTask);
        await WaitUntil(() => feed.Active == 1);

        feed.Publish(FakeClusterChangeFeed.Change(ClusterChangeKind.NodeChanged, "n1"));
        feed.Publish(FakeClusterChangeFeed.Change(ClusterChangeKind.SandboxError, "n1"));
        await WaitUntil(() => { lock (received) { return received.Count == 2; } });
        await subscription.DisposeAsync();

        Assert.Equal([ClusterChangeKind.NodeChanged, ClusterChangeKind.SandboxError], received);
        Assert.False(subscription.IsRunning);
        Assert.Equal(0, feed.Active);
        Assert.Equal(1, feed.Cancelled);
    }

    [Fact]
    public async Task A_failing_feed_is_reported_not_thrown()
    {
        var feed = new FakeClusterChangeFeed { FailWith = new IOException("hub gone") };
        var failure = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);

        var subscription = ChangeFeedSubscription.Start(feed, _ => Task.CompletedTask, ex =>
        {
            failure.SetResult(ex);
            return Task.CompletedTask;
        });

        var error = await failure.Task.WaitAsync(Deadline, Xunit.TestContext.Current.CancellationToken);
        Assert.Equal("hub gone", error.Message);
        await subscription.DisposeAsync();
        Assert.Equal(0, feed.Cancelled);
    }

    [Fact]
    public async Task Loadable_keeps_the_last_value_when_a_reload_fails()
    {
        var loadable = new Loadable<string>();
        var token = Xunit.TestContext.Current.CancellationToken;

        Assert.True(await loadable.LoadAsync(_ => Task.FromResult("v1"), "x", token));
        Assert.False(await loadable.LoadAsync(_ => Task.FromException<string>(new InvalidOperationException("boom")), "the overview", token));

        Assert.Equal("v1", loadable.Value);
        Assert.Equal("Could not load the overview: boom", loadable.Error);
        Assert.False(loadable.IsLoading);
    }
}
