using System.Globalization;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Api;

/// <summary>A query parameter that does not parse: the API answers 400 with this message.</summary>
public sealed class BadParameterException(string message) : Exception(message);

/// <summary>Parses query parameters with messages a caller can act on.</summary>
internal static class ApiParsing
{
    public static TEnum? Enum<TEnum>(string? value, string name) where TEnum : struct, System.Enum
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (System.Enum.TryParse<TEnum>(value, ignoreCase: true, out var parsed) && System.Enum.IsDefined(parsed) && !int.TryParse(value, out _)) return parsed;
        throw new BadParameterException($"'{name}' must be one of {string.Join(", ", System.Enum.GetNames<TEnum>())} (got '{value}').");
    }

    public static bool? Bool(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        return bool.TryParse(value, out var b) ? b : throw new BadParameterException($"'{name}' must be true or false (got '{value}').");
    }

    public static int Int(string? value, string name, int fallback, int min, int max)
    {
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new BadParameterException($"'{name}' must be a whole number from {min} to {max} (got '{value}').");
        return n;
    }

    public static long? Long(string? value, string name, long min)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min)
            throw new BadParameterException($"'{name}' must be a whole number of at least {min} (got '{value}').");
        return n;
    }

    /// <summary>An ISO 8601 time with a zone (<c>2026-12-07T10:00:00Z</c>); a bare date means midnight UTC.</summary>
    public static DateTimeOffset? Time(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)) return t;
        throw new BadParameterException($"'{name}' must be an ISO 8601 time such as 2026-12-07T10:00:00Z (got '{value}').");
    }

    public static string? OneOf(string? value, string name, IReadOnlyList<string> allowed)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        return allowed.Contains(value, StringComparer.Ordinal) ? value : throw new BadParameterException($"'{name}' must be one of {string.Join(", ", allowed)} (got '{value}').");
    }

    /// <summary>A window like <c>30m</c>, <c>1h</c>, <c>24h</c>, <c>7d</c>.</summary>
    public static TimeSpan Window(string? value, TimeSpan fallback, TimeSpan max)
    {
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        var unit = value[^1];
        if (!double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount <= 0 || "mhd".IndexOf(unit) < 0)
            throw new BadParameterException($"'window' must be a number followed by m, h or d, e.g. 1h or 7d (got '{value}').");
        var window = unit switch { 'm' => TimeSpan.FromMinutes(amount), 'h' => TimeSpan.FromHours(amount), _ => TimeSpan.FromDays(amount) };
        if (window < TimeSpan.FromMinutes(1) || window > max)
            throw new BadParameterException($"'window' must be between 1m and {max.TotalDays:0}d (got '{value}').");
        return window;
    }

    public static string? FileName(string? value, string name)
    {
        if (value is null) return null;
        return CniFileNames.IsPlainFileName(value) ? value : throw new BadParameterException($"'{name}' must be a plain file name inside the CNI folder (got '{value}').");
    }

    /// <summary>A diff side: <c>latest:NODE</c>, <c>previous:NODE</c>, <c>snapshot:NODE:ID</c>, <c>baseline:GROUP</c>.</summary>
    public static DiffSide Side(string? value, string name)
    {
        const string Forms = "latest:NODE, previous:NODE, snapshot:NODE:ID or baseline:GROUP";
        if (string.IsNullOrWhiteSpace(value)) throw new BadParameterException($"'{name}' is required: {Forms}.");
        var parts = value.Split(':');
        return parts switch
        {
            ["latest", { Length: > 0 } node] => DiffSide.Latest(node),
            ["previous", { Length: > 0 } node] => DiffSide.PreviousOf(node),
            ["snapshot", { Length: > 0 } node, var id] when long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var sid) => DiffSide.At(node, sid),
            ["baseline", { Length: > 0 } group] => DiffSide.Baseline(group),
            _ => throw new BadParameterException($"'{name}' must be {Forms} (got '{value}')."),
        };
    }
}
