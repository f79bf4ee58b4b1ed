using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Shared.Dashboard;

/// <summary>Filters and grouping for the Sandbox errors page.</summary>
public sealed record SandboxErrorQuery
{
    /// <summary>How far back (1 h, 24 h, 7 d).</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Only this node.</summary>
    public string? Node { get; init; }
    /// <summary>Only this plugin type.</summary>
    public string? PluginType { get; init; }
    /// <summary>Only this class.</summary>
    public SandboxErrorClass? ErrorClass { get; init; }
    /// <summary>How to group.</summary>
    public SandboxGrouping GroupBy { get; init; } = SandboxGrouping.ErrorClass;
    /// <summary>How to stack the timeline.</summary>
    public SandboxGrouping StackBy { get; init; } = SandboxGrouping.Plugin;
    /// <summary>Most recent events to list.</summary>
    public int Limit { get; init; } = 200;
}

/// <summary>Ways to group sandbox errors.</summary>
public enum SandboxGrouping
{
    /// <summary>By failure class.</summary>
    ErrorClass,
    /// <summary>By plugin type.</summary>
    Plugin,
    /// <summary>By node.</summary>
    Node,
}

/// <summary>The Sandbox errors page.</summary>
public sealed record SandboxErrorReport
{
    /// <summary>Failures in the window (summing event counts).</summary>
    public int Total { get; init; }
    /// <summary>Groups, largest first.</summary>
    public IReadOnlyList<SandboxErrorGroup> Groups { get; init; } = [];
    /// <summary>Time buckets for the chart, oldest first.</summary>
    public IReadOnlyList<TimelineBucket> Timeline { get; init; } = [];
    /// <summary>The most recent events, newest first.</summary>
    public IReadOnlyList<SandboxErrorView> Recent { get; init; } = [];
    /// <summary>True when <see cref="Recent"/> was cut at the query's limit.</summary>
    public bool Truncated { get; init; }
    /// <summary>Events before this time were removed by retention.</summary>
    public DateTimeOffset? PrunedBefore { get; init; }
}

/// <summary>A group of sandbox errors.</summary>
public sealed record SandboxErrorGroup
{
    /// <summary>The group's key (class, plugin type or node name).</summary>
    public required string Key { get; init; }
    /// <summary>Failures (summing counts).</summary>
    public required int Count { get; init; }
    /// <summary>Distinct nodes.</summary>
    public required int Nodes { get; init; }
    /// <summary>First seen.</summary>
    public required DateTimeOffset FirstSeen { get; init; }
    /// <summary>Last seen.</summary>
    public required DateTimeOffset LastSeen { get; init; }
    /// <summary>A representative error text.</summary>
    public string? Example { get; init; }
    /// <summary>The rule most often linked to these errors, when one is.</summary>
    public string? LinkedRule { get; init; }
}

/// <summary>A bucket of the timeline.</summary>
/// <param name="Start">Bucket start.</param>
/// <param name="Counts">Failures per stack key in the bucket.</param>
public sealed record TimelineBucket(DateTimeOffset Start, IReadOnlyDictionary<string, int> Counts);

/// <summary>One FailedCreatePodSandBox event, parsed and linked.</summary>
public sealed record SandboxErrorView
{
    /// <summary>Event uid.</summary>
    public required string EventUid { get; init; }
    /// <summary>Node.</summary>
    public required string Node { get; init; }
    /// <summary>Pod namespace.</summary>
    public string? Namespace { get; init; }
    /// <summary>Pod name.</summary>
    public string? Pod { get; init; }
    /// <summary>The parsed message.</summary>
    public required SandboxFailure Failure { get; init; }
    /// <summary>The event's count (kubelet aggregates repeats).</summary>
    public int Count { get; init; } = 1;
    /// <summary>First time.</summary>
    public required DateTimeOffset FirstSeen { get; init; }
    /// <summary>Last time.</summary>
    public required DateTimeOffset LastSeen { get; init; }
    /// <summary>The config entry behind the error on that node, when the dashboard could link one.</summary>
    public ConfigEntryLink? LinkedEntry { get; init; }
}

/// <summary>Where a sandbox error comes from in a node's files.</summary>
public sealed record ConfigEntryLink
{
    /// <summary>The file holding the plugin entry (the primary at the time).</summary>
    public required string File { get; init; }
    /// <summary>The entry's pointer, e.g. <c>/plugins/4</c>.</summary>
    public string? JsonPointer { get; init; }
    /// <summary>The plugin type.</summary>
    public string? PluginType { get; init; }
    /// <summary>The open finding that explains it, when there is one.</summary>
    public string? Rule { get; init; }
}
