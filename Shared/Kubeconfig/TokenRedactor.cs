using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace CniDashboard.Shared.Kubeconfig;

/// <summary>
/// Removes secrets from kubeconfig text before it leaves the node. Each secret value becomes
/// <c>&lt;redacted sha256:0123456789ab&gt;</c>: a fixed marker plus a short fingerprint, so a diff
/// still shows that a token changed while no copy of it survives. Formatting is otherwise kept.
/// </summary>
public static partial class TokenRedactor
{
    /// <summary>The fixed text every redacted value starts with.</summary>
    public const string Marker = "<redacted";

    /// <summary>Kubeconfig keys whose values are secrets.</summary>
    private const string SecretKeys = "token|client-key-data|password|id-token|refresh-token|access-token|client-secret|k8s_auth_token|auth_token";

    [GeneratedRegex($@"^(?<lead>[ \t]*(?:-[ \t]+)?)(?<key>{SecretKeys})(?<sep>[ \t]*:[ \t]*)(?<value>\S[^\r\n]*?)(?<trail>[ \t]+#[^\r\n]*|[ \t]*)(?=\r?$)", RegexOptions.Multiline | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex YamlSecretLine();

    [GeneratedRegex($@"(?<pre>""(?:{SecretKeys})""\s*:\s*"")(?<value>[^""]*)(?<post>"")", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex JsonSecretValue();

    /// <summary>Anything shaped like a JWT (three base64url parts, the first two JSON objects).</summary>
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex JwtShaped();

    /// <summary>
    /// What is left of a token whose start or key was damaged: two long base64url runs joined by a dot
    /// (payload.signature) or one run longer than any word (a signature or payload alone). Each run is
    /// taken whole from its start (atomic, after a non-base64url character), so a long run costs one pass.
    /// </summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9_-])(?>[A-Za-z0-9_-]{32,})(?:\.(?>[A-Za-z0-9_-]{32,}))+|(?<![A-Za-z0-9_-])(?>[A-Za-z0-9_-]{200,})", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex TokenRemnant();

    /// <summary>
    /// Redacts every secret value, every JWT-shaped string, and what is left of a damaged token (long
    /// base64url runs; see <see cref="TokenRemnant"/>) in the text. A YAML comment starts only after a
    /// blank, as in YAML: a <c>#</c> inside a token value does not end it.
    /// </summary>
    public static string Redact(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        try
        {
            var result = YamlSecretLine().Replace(text, m =>
                IsRedacted(m.Groups["value"].Value)
                    ? m.Value
                    : $"{m.Groups["lead"].Value}{m.Groups["key"].Value}{m.Groups["sep"].Value}{Placeholder(Unquote(m.Groups["value"].Value))}{m.Groups["trail"].Value}");
            result = JsonSecretValue().Replace(result, m =>
                IsRedacted(m.Groups["value"].Value) ? m.Value : $"{m.Groups["pre"].Value}{Placeholder(m.Groups["value"].Value)}{m.Groups["post"].Value}");
            result = JwtShaped().Replace(result, m => Placeholder(m.Value));
            return TokenRemnant().Replace(result, m => Placeholder(m.Value));
        }
        catch (RegexMatchTimeoutException)
        {
            // Pathological input: keep nothing rather than risk leaking a secret.
            return $"{Marker}: content withheld, too complex to redact safely>";
        }
    }

    /// <summary>True when the text holds nothing that looks like a bearer token.</summary>
    public static bool ContainsNoJwt(string text) => !JwtShaped().IsMatch(text);

    /// <summary>The fingerprint shown in place of a secret: first 12 hex characters of its SHA-256.</summary>
    public static string Fingerprint(string secret)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(secret), hash);
        return Convert.ToHexStringLower(hash[..6]);
    }

    private static string Placeholder(string secret) => $"{Marker} sha256:{Fingerprint(secret)}>";

    private static bool IsRedacted(string value) => value.TrimStart('"', '\'').StartsWith(Marker, StringComparison.Ordinal);

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;
}
