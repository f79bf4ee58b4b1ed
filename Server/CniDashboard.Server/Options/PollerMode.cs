namespace CniDashboard.Server.Options;

/// <summary>How the dashboard learns that a node's files changed (<c>Dashboard:Poller:Mode</c>).</summary>
public enum PollerMode
{
    /// <summary>Agents announce their manifest hash on their Pod; the poll is a slow safety net.</summary>
    Announce,

    /// <summary>Every agent is asked every <see cref="PollerOptions.Interval"/> (the design before announcements).</summary>
    Poll,
}
