using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Model;

/// <summary>A DaemonSet rollout's state in a word.</summary>
public enum RolloutState
{
    /// <summary>Every desired pod runs the current template and is Ready.</summary>
    UpToDate,
    /// <summary>Updating, making progress.</summary>
    RollingOut,
    /// <summary>No progress for longer than the stuck threshold.</summary>
    Stuck,
}

/// <summary>Words for DaemonSet rollouts.</summary>
public static class DaemonSetText
{
    /// <summary>The state of a DaemonSet's rollout.</summary>
    public static RolloutState StateOf(DaemonSetStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status.Stuck ? RolloutState.Stuck : status.RollingOut ? RolloutState.RollingOut : RolloutState.UpToDate;
    }

    /// <summary>The label shown with the state's icon.</summary>
    public static string Label(RolloutState state) => state switch
    {
        RolloutState.Stuck => "Rollout stuck",
        RolloutState.RollingOut => "Rolling out",
        _ => "Up to date",
    };

    /// <summary>e.g. "11 of 12 updated, 9 of 12 ready".</summary>
    public static string Progress(DaemonSetStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return $"{status.Updated} of {status.Desired} updated, {status.Ready} of {status.Desired} ready";
    }
}
