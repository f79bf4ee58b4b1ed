using CniDashboard.Server.Cluster;
using CniDashboard.Server.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Server.Tests.Cluster;

public sealed class WatchHealthCheckTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_check_says_which_watch_is_down_and_since_when()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero));
        var registry = new WatchHealthRegistry(time);
        var check = new WatchHealthCheck(registry);
        registry.Register("nodes");
        registry.Register("events FailedCreatePodSandBox");

        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(new HealthCheckContext(), Ct)).Status);

        registry.MarkSynced("nodes");
        registry.MarkSynced("events FailedCreatePodSandBox");
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext(), Ct)).Status);

        time.Advance(TimeSpan.FromMinutes(3));
        registry.MarkDown("events FailedCreatePodSandBox", "HTTP 503 Service Unavailable");
        time.Advance(TimeSpan.FromMinutes(1));
        registry.MarkDown("events FailedCreatePodSandBox", "HTTP 503 Service Unavailable");
        var degraded = await check.CheckHealthAsync(new HealthCheckContext(), Ct);

        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal("events FailedCreatePodSandBox down since 2026-11-20 09:03:00Z (HTTP 503 Service Unavailable)", degraded.Description);
        Assert.Equal("up since 2026-11-20 09:00:00Z", degraded.Data["nodes"]);
    }
}
