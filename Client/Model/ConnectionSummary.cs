using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Model;

/// <summary>The status bar in words: is the dashboard's view of the cluster current?</summary>
/// <param name="Healthy">Every watch up and the last poll recent.</param>
/// <param name="WatchText">e.g. "All 4 watches up" or "events watch down since 09:16:16Z: 410 Gone".</param>
/// <param name="PollText">e.g. "last poll 12 s ago".</param>
public sealed record ConnectionSummary(bool Healthy, string WatchText, string PollText)
{
    /// <summary>Summarises a status at <paramref name="now"/>; a poll older than two intervals counts as late.</summary>
    public static ConnectionSummary Of(ConnectionStatus status, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        var down = status.Watches.Where(w => !w.Healthy).ToList();
        var watchText = status.Watches.Count == 0
            ? "No watches reported"
            : down.Count == 0
                ? $"All {status.Watches.Count} watches up"
                : string.Join("; ", down.Select(w =>
                    $"{w.Resource} watch down since {TimeText.Utc(w.Since)}{(w.Error is null ? "" : ": " + w.Error)}"));

        var pollLate = status.LastPollAt is null
            || (status.PollInterval > TimeSpan.Zero && now - status.LastPollAt.Value > status.PollInterval * 2);
        var pollText = status.LastPollAt is null
            ? "no agent poll yet"
            : $"last poll {TimeText.Ago(status.LastPollAt.Value, now)}{(pollLate ? " (late)" : "")}";

        return new ConnectionSummary(down.Count == 0 && status.Watches.Count > 0 && !pollLate, watchText, pollText);
    }

    /// <summary>
    /// Which replica answers and which leads, when several share the store: "leader web-1 (this
    /// replica)", "replica web-2 · leader web-1", "replica web-2 · no leader yet"; null with one replica.
    /// </summary>
    public static string? ReplicaText(ConnectionStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (status.Replica is not { } replica) return null;
        if (status.Leader == replica) return $"leader {replica} (this replica)";
        return status.Leader is { } leader ? $"replica {replica} · leader {leader}" : $"replica {replica} · no leader yet";
    }
}
