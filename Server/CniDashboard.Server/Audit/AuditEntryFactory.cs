using System.Text.Json.Nodes;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Audit;
using CniDashboard.Shared.Kubeconfig;

namespace CniDashboard.Server.Audit;

/// <summary>
/// Turns an <see cref="AuditRecord"/> into the entry that is stored: secrets taken out (values under
/// secret-named keys replaced, JWT-shaped strings anywhere redacted to a fingerprint), text fields
/// capped, roles and details in canonical JSON, and the hash chained to the previous entry.
/// </summary>
public static class AuditEntryFactory
{
    /// <summary>Longest text field kept (longer ones, e.g. a forged header, are cut with a marker).</summary>
    public const int MaxFieldLength = 1024;

    /// <summary>Largest details accepted (canonical UTF-16 length); larger entries are refused.</summary>
    public const int MaxDetailsLength = 1024 * 1024;

    /// <summary>Keys whose values are never stored, compared without case, <c>-</c> or <c>_</c>.</summary>
    private static readonly HashSet<string> SecretKeys = new(StringComparer.Ordinal)
    {
        "token", "accesstoken", "idtoken", "refreshtoken", "bearertoken", "password", "passwd", "secret", "clientsecret",
        "authorization", "proxyauthorization", "cookie", "setcookie", "apikey", "privatekey",
    };

    /// <summary>
    /// The entry to store at <paramref name="sequence"/> after an entry with hash <paramref name="prevHash"/>,
    /// of <paramref name="cluster"/> (the default cluster when null).
    /// </summary>
    /// <exception cref="ArgumentException">Details too large.</exception>
    /// <exception cref="TokenLeakException">A token survived redaction (never expected; the entry is refused).</exception>
    public static AuditEntry Create(AuditRecord record, long sequence, string prevHash, DateTimeOffset at, string? cluster = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        var details = record.Details is null ? null : JsonCanonicalizer.Canonicalize(Sanitize(record.Details));
        if (details is not null && details.Length > MaxDetailsLength)
            throw new ArgumentException($"audit details of '{record.Action}' are {details.Length} characters; at most {MaxDetailsLength} are kept", nameof(record));

        var roles = new JsonArray([.. record.Actor.Roles.Distinct().Order().Select(r => (JsonNode)JsonValue.Create(r.ToString()))]);
        var entry = new AuditEntry
        {
            Sequence = sequence,
            At = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds()),
            ActorSubject = Clean(record.Actor.Subject) ?? "",
            ActorName = Clean(record.Actor.DisplayName) ?? "",
            ActorRoles = JsonCanonicalizer.Canonicalize(roles),
            ActorMethod = Clean(record.Actor.Method) ?? "",
            Action = Clean(record.Action) ?? "",
            TargetKind = Clean(record.Target?.Kind),
            TargetName = Clean(record.Target?.Name),
            Outcome = OutcomeText(record.Outcome),
            Details = details,
            ClientAddress = Clean(record.ClientAddress),
            RequestId = Clean(record.RequestId),
            PrevHash = prevHash,
            Cluster = cluster ?? Shared.Fleet.ClusterId.Default,
            Hash = "",
        };
        var text = AuditCanonicalForm.Text(entry);
        TokenGuard.EnsureNoToken(text, $"audit entry '{entry.Action}'");
        return entry with { Hash = AuditCanonicalForm.ComputeHash(entry) };
    }

    /// <summary>The stored word for an outcome.</summary>
    public static string OutcomeText(AuditOutcome outcome) => outcome switch
    {
        AuditOutcome.Ok => AuditOutcomes.Ok,
        AuditOutcome.Denied => AuditOutcomes.Denied,
        AuditOutcome.Failed => AuditOutcomes.Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "not an audit outcome"),
    };

    /// <summary>A copy of <paramref name="node"/> with nothing secret left in it.</summary>
    public static JsonNode? Sanitize(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(
            TokenRedactor.Redact(p.Key),
            IsSecretKey(p.Key) ? Redacted(p.Value) : Sanitize(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Sanitize)]),
        JsonValue value when value.TryGetValue<string>(out var s) => JsonValue.Create(TokenRedactor.Redact(s)),
        _ => node.DeepClone(),
    };

    private static bool IsSecretKey(string key) =>
        SecretKeys.Contains(key.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant());

    private static JsonNode? Redacted(JsonNode? value) =>
        value is null ? null : JsonValue.Create($"{TokenRedactor.Marker} sha256:{TokenRedactor.Fingerprint(value.ToJsonString())}>");

    private static string? Clean(string? text)
    {
        if (text is null) return null;
        var redacted = TokenRedactor.Redact(text);
        if (redacted.Length <= MaxFieldLength) return redacted;
        var cut = MaxFieldLength - 12;
        if (char.IsHighSurrogate(redacted[cut - 1])) cut--;
        return redacted[..cut] + "…(truncated)";
    }
}
