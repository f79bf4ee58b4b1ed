using Microsoft.Extensions.Primitives;

namespace CniDashboard.Server.Auth;

/// <summary>The identity headers an authenticating proxy sets, under one of the two naming sets.</summary>
public sealed class ProxyHeaders(string prefix)
{
    /// <summary>The user's id.</summary>
    public string User { get; } = prefix + "User";

    /// <summary>The user's e-mail.</summary>
    public string Email { get; } = prefix + "Email";

    /// <summary>The user's groups: comma-separated, or the header repeated.</summary>
    public string Groups { get; } = prefix + "Groups";

    /// <summary>The user's display name.</summary>
    public string PreferredUsername { get; } = prefix + "Preferred-Username";

    /// <summary>Every identity header.</summary>
    public IReadOnlyList<string> All => [User, Email, Groups, PreferredUsername];

    /// <summary>The identity headers present on <paramref name="request"/>.</summary>
    public IReadOnlyList<string> PresentOn(HttpRequest request) => [.. All.Where(h => request.Headers.ContainsKey(h))];

    /// <summary>Groups from every value of the groups header, split on commas, trimmed, each once.</summary>
    public static IReadOnlyList<string> SplitGroups(StringValues values) =>
        [.. values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal)];
}
