using CniDashboard.Server.Fleet;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Server.Tests.Fleet;

/// <summary>Trims after bulk work are rate-limited by time; trims within bulk work are spaced by the work and restart that limit.</summary>
public sealed class MemoryTrimmerTests
{
    [Fact]
    public void Trims_after_bulk_work_are_at_least_the_minimum_interval_apart()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var trimmer = new MemoryTrimmer(time);

        trimmer.AfterBulkWork();
        trimmer.AfterBulkWork();
        Assert.Equal(1, trimmer.Trims);

        time.Advance(MemoryTrimmer.MinInterval);
        trimmer.AfterBulkWork();
        Assert.Equal(2, trimmer.Trims);
    }

    [Fact]
    public void A_trim_within_bulk_work_always_runs_and_the_trim_after_it_waits_the_interval_from_there()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var trimmer = new MemoryTrimmer(time);

        trimmer.AfterBulkWork();
        trimmer.DuringBulkWork();
        trimmer.DuringBulkWork();
        Assert.Equal(3, trimmer.Trims);

        // The end of that bulk work, soon after its last part was trimmed: nothing left worth a trim.
        time.Advance(MemoryTrimmer.MinInterval / 2);
        trimmer.AfterBulkWork();
        Assert.Equal(3, trimmer.Trims);

        time.Advance(MemoryTrimmer.MinInterval / 2);
        trimmer.AfterBulkWork();
        Assert.Equal(4, trimmer.Trims);
    }
}
