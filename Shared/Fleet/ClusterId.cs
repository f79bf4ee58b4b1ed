namespace CniDashboard.Shared.Fleet;

/// <summary>
/// A cluster's id in a fleet: what the store keys its rows by, what URLs and the API name it by
/// (<c>/clusters/{id}/…</c>), and what a collector is configured with. A DNS label, so it is safe
/// in a URL path, a PostgreSQL role name and a Kubernetes label alike.
/// </summary>
public static class ClusterId
{
    /// <summary>The cluster of a single-cluster install, and of every row stored before clusters were a dimension.</summary>
    public const string Default = "default";

    /// <summary>The longest id (a DNS label).</summary>
    public const int MaxLength = 63;

    /// <summary>True for 1–63 lower-case letters, digits and '-', starting and ending with a letter or digit.</summary>
    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength) return false;
        if (id[0] == '-' || id[^1] == '-') return false;
        foreach (var c in id)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')) return false;
        }

        return true;
    }

    /// <summary>Why <paramref name="id"/> is not valid, naming <paramref name="setting"/>; null when it is.</summary>
    public static string? Problem(string? id, string setting) => IsValid(id)
        ? null
        : $"{setting} '{id}' is not a cluster id: use 1–{MaxLength} lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. prod-eu-1).";
}
