namespace CniDashboard.Server.Polling;

/// <summary>How the last poll round went, for the status bar and metrics.</summary>
public sealed class PollerStatus
{
    private PollRound? _last;

    /// <summary>The last finished round, or null before the first.</summary>
    public PollRound? Last => Volatile.Read(ref _last);

    /// <summary>Rounds finished since start.</summary>
    public long Rounds { get; private set; }

    private long _lastFetchTicks;

    /// <summary>When agents were last asked (a whole round, or the nodes an announcement or the safety net picked); null before.</summary>
    public DateTimeOffset? LastFetchAt => Interlocked.Read(ref _lastFetchTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    internal void RecordFetch(DateTimeOffset at)
    {
        Interlocked.Exchange(ref _lastFetchTicks, at.UtcTicks);
        Fetched?.Invoke(at);
    }

    /// <summary>Raised after each fetch (a round or announced nodes) this replica made; followers learn it through the store's notifications.</summary>
    public event Action<DateTimeOffset>? Fetched;

    /// <summary>Records a fetch another replica (the leader) made.</summary>
    internal void RecordFetchElsewhere(DateTimeOffset at)
    {
        if (at.UtcTicks > Interlocked.Read(ref _lastFetchTicks)) Interlocked.Exchange(ref _lastFetchTicks, at.UtcTicks);
    }

    internal void Record(PollRound round)
    {
        Volatile.Write(ref _last, round);
        Rounds++;
    }
}

/// <summary>One poll round's outcome.</summary>
public sealed record PollRound
{
    /// <summary>When it finished.</summary>
    public required DateTimeOffset FinishedAt { get; init; }
    /// <summary>How long it took.</summary>
    public required TimeSpan Duration { get; init; }
    /// <summary>Nodes in the cluster.</summary>
    public int Nodes { get; init; }
    /// <summary>Agents that answered 304 (or 200 with an unchanged hash).</summary>
    public int Unchanged { get; init; }
    /// <summary>Snapshots stored.</summary>
    public int Changed { get; init; }
    /// <summary>Nodes whose agent failed or has no pod.</summary>
    public int Failed { get; init; }
    /// <summary>The names of the nodes counted in <see cref="Failed"/>.</summary>
    public IReadOnlyCollection<string> FailedNodes { get; init; } = [];
}
