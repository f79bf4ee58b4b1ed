using System.Globalization;
using System.Text.Json;
using CniDashboard.Shared.Audit;

namespace CniDashboard.Client.Model;

/// <summary>How audit entries and verification results read on the page.</summary>
public static class AuditText
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Details as indented JSON (the stored text when it is not JSON).</summary>
    public static string PrettyDetails(string? details)
    {
        if (string.IsNullOrEmpty(details)) return "";
        try
        {
            using var document = JsonDocument.Parse(details);
            return JsonSerializer.Serialize(document.RootElement, Indented);
        }
        catch (JsonException)
        {
            return details;
        }
    }

    /// <summary>The roles array as words: <c>Viewer, Admin</c>, or <c>none</c>.</summary>
    public static string Roles(string rolesJson)
    {
        try
        {
            var roles = JsonSerializer.Deserialize<string[]>(rolesJson) ?? [];
            return roles.Length == 0 ? "none" : string.Join(", ", roles);
        }
        catch (JsonException)
        {
            return rolesJson;
        }
    }

    /// <summary>The target as <c>kind name</c>, or a dash.</summary>
    public static string Target(AuditEntry entry) => (entry.TargetKind, entry.TargetName) switch
    {
        (null, null) => "—",
        (var kind, null) => kind!,
        (null, var name) => name!,
        var (kind, name) => $"{kind} {name}",
    };

    /// <summary>A short hash for tables: the first 12 hex digits.</summary>
    public static string ShortHash(string? hash) => hash is { Length: > 12 } ? hash[..12] + "…" : hash ?? "—";

    /// <summary>How long a verification took: <c>40 ms</c>, <c>1.3 s</c>, <c>2 min</c>.</summary>
    public static string Elapsed(TimeSpan span) =>
        span < TimeSpan.FromSeconds(1) ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMilliseconds} ms")
        : span < TimeSpan.FromMinutes(1) ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.0} s")
        : TimeText.Span(span);

    /// <summary>The verdict's headline.</summary>
    public static string Headline(AuditVerification result) => result.Status switch
    {
        AuditVerificationStatus.Intact => "Intact: every entry chains, and the signed checkpoint agrees",
        AuditVerificationStatus.Unanchored => "Chain intact, checkpoint not compared",
        _ => string.Create(CultureInfo.InvariantCulture, $"Tampered at entry {result.FirstBadSequence}"),
    };

    /// <summary>The Audit page showing entry <paramref name="sequence"/> at the top.</summary>
    public static string EntryLink(long sequence) => AuditFilter.PageUrl(new AuditQuery { BeforeSequence = sequence + 1 });
}
