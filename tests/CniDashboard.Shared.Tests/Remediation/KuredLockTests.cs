using CniDashboard.Shared.Remediation;

namespace CniDashboard.Shared.Tests.Remediation;

public sealed class KuredLockTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("""{"nodeID":"ip-10-0-1-2","metadata":{"unschedulable":false},"created":"2026-11-20T09:58:00Z","TTL":0}""", "ip-10-0-1-2")]
    [InlineData("""{"nodeID":"ip-10-0-1-2","created":"2026-11-20T09:00:00Z","TTL":1800000000000}""", null)]
    [InlineData("""{"nodeID":"ip-10-0-1-2","created":"2026-11-20T09:45:00Z","TTL":1800000000000}""", "ip-10-0-1-2")]
    [InlineData("""{"maxOwners":2,"locks":[{"nodeID":"a","TTL":0},{"nodeID":"b","TTL":0}]}""", "a, b")]
    [InlineData("""{"maxOwners":2,"locks":[]}""", null)]
    [InlineData("""{"nodeID":""}""", null)]
    [InlineData("not json", "unknown (unreadable lock)")]
    [InlineData("[1]", "unknown (unreadable lock)")]
    public void Reads_who_holds_kureds_lock_and_treats_an_unreadable_one_as_held(string? annotation, string? holder) =>
        Assert.Equal(holder, KuredLock.Holder(annotation, Now));
}
