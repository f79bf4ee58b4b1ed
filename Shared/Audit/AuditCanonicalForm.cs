using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CniDashboard.Shared.Audit;

/// <summary>
/// What an audit entry's hash covers, defined so that anyone can recompute it from the stored row:
/// <code>
/// canonical = UTF-8 of the JSON array (RFC 8785 text, no whitespace)
///   ["cni-dashboard.audit.v1", sequence, time_ms, actor_subject, actor_name, actor_roles,
///    actor_method, action, target_kind, target_name, outcome, details, client_address,
///    request_id, prev_hash]
/// hash      = lower-case hex SHA-256(canonical)
/// </code>
/// <c>sequence</c> and <c>time_ms</c> (Unix milliseconds, UTC) are integers; the text fields are JSON
/// strings, or <c>null</c> when absent; <c>actor_roles</c> (a JSON array of role names) and
/// <c>details</c> (a JSON value, or <c>null</c>) are stored as their RFC 8785 canonical text and
/// embedded as they are stored; <c>prev_hash</c> is the previous entry's hash, 64 zeros for the first.
/// Field order is fixed by this array; a new field means a new version tag. An entry of a cluster
/// other than <c>default</c> (a fleet, issue 14) is tagged <c>cni-dashboard.audit.v2</c> and has its
/// cluster id appended after <c>prev_hash</c>; entries of the default cluster keep the v1 form, so
/// every chain written before clusters existed verifies unchanged.
/// </summary>
public static class AuditCanonicalForm
{
    /// <summary>The version tag, the array's first element.</summary>
    public const string Version = "cni-dashboard.audit.v1";

    /// <summary>The version tag of an entry of a cluster other than the default, whose last element is the cluster id.</summary>
    public const string VersionWithCluster = "cni-dashboard.audit.v2";

    /// <summary>The <see cref="AuditEntry.PrevHash"/> of entry 1.</summary>
    public static string GenesisHash { get; } = new('0', 64);

    /// <summary>The canonical text of an entry (its <see cref="AuditEntry.Hash"/> is ignored).</summary>
    public static string Text(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var b = new StringBuilder(256 + (entry.Details?.Length ?? 0));
        var withCluster = !string.Equals(entry.Cluster, Fleet.ClusterId.Default, StringComparison.Ordinal);
        b.Append('[');
        JsonCanonicalizer.WriteString(b, withCluster ? VersionWithCluster : Version);
        b.Append(',').Append(entry.Sequence.ToString(CultureInfo.InvariantCulture));
        b.Append(',').Append(entry.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        AppendString(b, entry.ActorSubject);
        AppendString(b, entry.ActorName);
        AppendRaw(b, entry.ActorRoles);
        AppendString(b, entry.ActorMethod);
        AppendString(b, entry.Action);
        AppendString(b, entry.TargetKind);
        AppendString(b, entry.TargetName);
        AppendString(b, entry.Outcome);
        AppendRaw(b, entry.Details);
        AppendString(b, entry.ClientAddress);
        AppendString(b, entry.RequestId);
        AppendString(b, entry.PrevHash);
        if (withCluster) AppendString(b, entry.Cluster);
        b.Append(']');
        return b.ToString();
    }

    /// <summary>The bytes hashed: UTF-8 of <see cref="Text"/>.</summary>
    public static byte[] Encode(AuditEntry entry) => Encoding.UTF8.GetBytes(Text(entry));

    /// <summary>The hash an entry must carry.</summary>
    public static string ComputeHash(AuditEntry entry) => Convert.ToHexStringLower(SHA256.HashData(Encode(entry)));

    /// <summary>True for 64 lower-case hex digits.</summary>
    public static bool IsHash(string? value) =>
        value is { Length: 64 } && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private static void AppendString(StringBuilder b, string? value)
    {
        b.Append(',');
        if (value is null) b.Append("null");
        else JsonCanonicalizer.WriteString(b, value);
    }

    // Stored already canonical: a changed byte changes the hash, which is the point.
    private static void AppendRaw(StringBuilder b, string? json) => b.Append(',').Append(json ?? "null");
}
