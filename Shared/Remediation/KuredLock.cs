using System.Text.Json;

namespace CniDashboard.Shared.Remediation;

/// <summary>
/// Reads kured's reboot lock: the <see cref="RemediationKeys.KuredLockAnnotation"/> annotation on the
/// kured DaemonSet, <c>{"nodeID": …, "created": …, "TTL": …}</c> while a node holds it (or
/// <c>{"maxOwners": n, "locks": [ … ]}</c> with concurrency), absent once released. A lock whose TTL
/// ran out counts as free, as kured treats it.
/// </summary>
public static class KuredLock
{
    /// <summary>The node(s) holding the lock at <paramref name="now"/>, comma-separated; null when it is free.</summary>
    public static string? Holder(string? annotation, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(annotation)) return null;
        try
        {
            using var document = JsonDocument.Parse(annotation);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return "unknown (unreadable lock)";
            if (root.TryGetProperty("locks", out var locks) && locks.ValueKind == JsonValueKind.Array)
            {
                var holders = locks.EnumerateArray().Select(l => HolderOf(l, now)).OfType<string>().ToArray();
                return holders.Length == 0 ? null : string.Join(", ", holders);
            }
            return HolderOf(root, now);
        }
        catch (JsonException)
        {
            // Something holds the annotation that we cannot read: treat it as held, never as free.
            return "unknown (unreadable lock)";
        }
    }

    private static string? HolderOf(JsonElement lockValue, DateTimeOffset now)
    {
        if (lockValue.ValueKind != JsonValueKind.Object) return null;
        var node = lockValue.TryGetProperty("nodeID", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        if (string.IsNullOrEmpty(node)) return null;
        // TTL is a Go duration in nanoseconds; 0 means the lock never expires.
        if (lockValue.TryGetProperty("TTL", out var ttl) && ttl.TryGetInt64(out var nanos) && nanos > 0
            && lockValue.TryGetProperty("created", out var created) && created.TryGetDateTimeOffset(out var at)
            && at + TimeSpan.FromTicks(nanos / 100) <= now)
            return null;
        return node;
    }
}
