using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Client.Model;

/// <summary>The Sandbox errors page's window, grouping and filters as they appear in the URL.</summary>
public sealed record SandboxErrorFilter
{
    /// <summary>Query-string names.</summary>
    public static class Keys
    {
        /// <summary>1h, 24h, 7d.</summary>
        public const string Window = "window";
        /// <summary>class, plugin, node.</summary>
        public const string GroupBy = "group";
        /// <summary>class, plugin, node.</summary>
        public const string StackBy = "stack";
        /// <summary>Node name.</summary>
        public const string Node = "node";
        /// <summary>Plugin type.</summary>
        public const string Plugin = "plugin";
        /// <summary>Error class.</summary>
        public const string ErrorClass = "class";
    }

    /// <summary>How far back.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How the groups table is grouped.</summary>
    public SandboxGrouping GroupBy { get; init; } = SandboxGrouping.ErrorClass;

    /// <summary>How the timeline is stacked.</summary>
    public SandboxGrouping StackBy { get; init; } = SandboxGrouping.Plugin;

    /// <summary>Only this node.</summary>
    public string? Node { get; init; }

    /// <summary>Only this plugin type.</summary>
    public string? PluginType { get; init; }

    /// <summary>Only this class.</summary>
    public SandboxErrorClass? ErrorClass { get; init; }

    /// <summary>True when a node, plugin or class narrows the list.</summary>
    public bool IsFiltered => Node is not null || PluginType is not null || ErrorClass is not null;

    /// <summary>Reads the filter from query-string values; unknown values fall back to defaults.</summary>
    public static SandboxErrorFilter FromQuery(string? window, string? groupBy, string? stackBy, string? node, string? plugin, string? errorClass) => new()
    {
        Window = SandboxWindow.Parse(window),
        GroupBy = ParseGrouping(groupBy) ?? SandboxGrouping.ErrorClass,
        StackBy = ParseGrouping(stackBy) ?? SandboxGrouping.Plugin,
        Node = string.IsNullOrWhiteSpace(node) ? null : node.Trim(),
        PluginType = string.IsNullOrWhiteSpace(plugin) ? null : plugin.Trim(),
        ErrorClass = Enum.TryParse<SandboxErrorClass>(errorClass, ignoreCase: true, out var c) && Enum.IsDefined(c) ? c : null,
    };

    /// <summary>The query for the backend.</summary>
    public SandboxErrorQuery ToQuery(int limit = 200) => new()
    {
        Window = Window,
        GroupBy = GroupBy,
        StackBy = StackBy,
        Node = Node,
        PluginType = PluginType,
        ErrorClass = ErrorClass,
        Limit = limit,
    };

    /// <summary>Query-string values; defaults are left out so links stay short.</summary>
    public IReadOnlyDictionary<string, object?> ToQueryParameters() => new Dictionary<string, object?>
    {
        [Keys.Window] = SandboxWindow.Token(Window) == SandboxWindow.DefaultToken ? null : SandboxWindow.Token(Window),
        [Keys.GroupBy] = GroupBy == SandboxGrouping.ErrorClass ? null : GroupingToken(GroupBy),
        [Keys.StackBy] = StackBy == SandboxGrouping.Plugin ? null : GroupingToken(StackBy),
        [Keys.Node] = Node,
        [Keys.Plugin] = PluginType,
        [Keys.ErrorClass] = ErrorClass?.ToString(),
    };

    /// <summary>The URL token of a grouping.</summary>
    public static string GroupingToken(SandboxGrouping grouping) => grouping switch
    {
        SandboxGrouping.Plugin => "plugin",
        SandboxGrouping.Node => "node",
        _ => "class",
    };

    /// <summary>A grouping's name for labels.</summary>
    public static string GroupingLabel(SandboxGrouping grouping) => grouping switch
    {
        SandboxGrouping.Plugin => "Plugin",
        SandboxGrouping.Node => "Node",
        _ => "Error class",
    };

    /// <summary>Reads a grouping token; null when unknown.</summary>
    public static SandboxGrouping? ParseGrouping(string? token) => token?.ToLowerInvariant() switch
    {
        "class" or "errorclass" => SandboxGrouping.ErrorClass,
        "plugin" => SandboxGrouping.Plugin,
        "node" => SandboxGrouping.Node,
        _ => null,
    };
}
