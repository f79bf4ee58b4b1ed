namespace CniDashboard.E2E.Tests.Support;

/// <summary>Waits for a condition with a deadline (never a fixed sleep standing in for it).</summary>
public static class Eventually
{
    private static readonly TimeSpan Probe = TimeSpan.FromMilliseconds(100);

    /// <summary>Re-checks <paramref name="condition"/> until it holds; throws <see cref="TimeoutException"/> naming <paramref name="what"/> at the deadline.</summary>
    public static async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
            }

            await Task.Delay(Probe, cancellationToken);
        }
    }
}
