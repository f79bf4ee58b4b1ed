using System.Text.RegularExpressions;

namespace CniDashboard.Server.Auth;

/// <summary>
/// Removes anything token-shaped from text that is about to be logged or recorded (an identity
/// provider's error, an exception message): a JWT (three base64url parts) or a bearer credential.
/// </summary>
public static partial class SecretScrubber
{
    /// <summary>The longest text kept from an outside error.</summary>
    public const int MaxLength = 300;

    /// <summary>The text with tokens replaced by <c>&lt;redacted&gt;</c>, cut to <see cref="MaxLength"/>.</summary>
    public static string Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var scrubbed = Bearer().Replace(Jwt().Replace(text, "<redacted>"), "Bearer <redacted>");
        return scrubbed.Length <= MaxLength ? scrubbed : scrubbed[..MaxLength] + "…";
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"Bearer\s+[A-Za-z0-9._~+/=-]{8,}", RegexOptions.IgnoreCase)]
    private static partial Regex Bearer();
}
