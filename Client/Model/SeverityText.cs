using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Model;

/// <summary>
/// Words and URL tokens for a node's or finding's severity. "OK" stands for no finding, so every
/// place that shows a severity says it in text as well as colour.
/// </summary>
public static class SeverityText
{
    /// <summary>The word shown next to the icon: Critical, Warning, Info, or OK.</summary>
    public static string Label(Severity? severity) => severity switch
    {
        Severity.Critical => "Critical",
        Severity.Warning => "Warning",
        Severity.Info => "Info",
        _ => "OK",
    };

    /// <summary>The lower-case token used in URLs and <c>data-severity</c> attributes.</summary>
    public static string Token(Severity? severity) => Label(severity).ToLowerInvariant();

    /// <summary>Reads a URL token back; unknown tokens give null.</summary>
    public static Severity? Parse(string? token) => token?.Trim().ToLowerInvariant() switch
    {
        "critical" => Severity.Critical,
        "warning" => Severity.Warning,
        "info" => Severity.Info,
        _ => null,
    };

    /// <summary>
    /// True when the dashboard has never read the node's files (its agent never answered a poll), so no finding can
    /// exist yet: the node is unknown, not OK.
    /// </summary>
    public static bool FilesNeverRead(NodeSummary node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Agent.State == AgentState.Unknown;
    }
}
