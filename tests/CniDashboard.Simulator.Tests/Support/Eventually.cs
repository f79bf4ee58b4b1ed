namespace CniDashboard.Simulator.Tests.Support;

/// <summary>
/// Waits for a condition with a deadline, for state that another thread (a controller, a server)
/// brings about. Not a retry of the assertion: the condition is what the test waits for, and a
/// timeout fails with what was being waited for.
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    public static async Task<T> ValueAsync<T>(Func<T?> probe, string waitingFor, TimeSpan? timeout = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s waiting for {waitingFor}.");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    public static async Task TrueAsync(Func<bool> condition, string waitingFor, TimeSpan? timeout = null) =>
        await ValueAsync(() => condition() ? "done" : null, waitingFor, timeout);
}
