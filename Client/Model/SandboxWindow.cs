namespace CniDashboard.Client.Model;

/// <summary>The time windows the sandbox-error views offer: 1 h, 24 h, 7 d.</summary>
public static class SandboxWindow
{
    /// <summary>The windows in the order the toggle shows them, with their URL tokens.</summary>
    public static IReadOnlyList<(string Token, string Label, TimeSpan Span)> All { get; } =
    [
        ("1h", "Last hour", TimeSpan.FromHours(1)),
        ("24h", "Last 24 hours", TimeSpan.FromHours(24)),
        ("7d", "Last 7 days", TimeSpan.FromDays(7)),
    ];

    /// <summary>The default window token.</summary>
    public const string DefaultToken = "1h";

    /// <summary>A token's span; unknown tokens give the default (1 h).</summary>
    public static TimeSpan Parse(string? token) =>
        All.FirstOrDefault(w => string.Equals(w.Token, token, StringComparison.OrdinalIgnoreCase)).Span is { Ticks: > 0 } span
            ? span
            : All[0].Span;

    /// <summary>The token of a known window (unknown spans give the default).</summary>
    public static string Token(TimeSpan span) =>
        All.FirstOrDefault(w => w.Span == span).Token ?? DefaultToken;
}
