using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CniDashboard.Shared.Audit;

/// <summary>
/// A signed statement of the audit chain's head, kept outside the database (in the cluster): "entry
/// <see cref="Sequence"/> has hash <see cref="HeadHash"/>". Whoever can edit the SQLite file cannot
/// move it, and cannot make a new one without the signing key.
/// <para>
/// Signature: ECDSA P-256 over SHA-256 of <see cref="SignedText()"/> (UTF-8), DER-encoded (RFC 3279),
/// base64 — what <c>openssl dgst -sha256 -verify key.pub -signature sig.der payload</c> checks.
/// </para>
/// </summary>
public sealed record AuditCheckpoint
{
    /// <summary>The format's version.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The only algorithm written and accepted.</summary>
    public const string Algorithm = "ECDSA-P256-SHA256";

    /// <summary>The audit action recording that a checkpoint was written (details: <c>sequence</c>, <c>headHash</c>, …).</summary>
    public const string WrittenAction = "audit.checkpoint";

    /// <summary>The format version.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>The head entry's sequence number.</summary>
    public required long Sequence { get; init; }

    /// <summary>The head entry's hash.</summary>
    public required string HeadHash { get; init; }

    /// <summary>When it was signed (whole milliseconds).</summary>
    public required DateTimeOffset SignedAt { get; init; }

    /// <summary>Which key signed it: <see cref="KeyIdOf"/> of the public key.</summary>
    public required string KeyId { get; init; }

    /// <summary>Base64 of the DER signature over <see cref="SignedText()"/>.</summary>
    public required string Signature { get; init; }

    /// <summary>
    /// The text signed, one field a line:
    /// <c>cni-dashboard-audit-checkpoint/v1\n{sequence}\n{headHash}\n{signedAt Unix ms}\n{keyId}</c>.
    /// </summary>
    public string SignedText() => SignedText(Sequence, HeadHash, SignedAt, KeyId);

    /// <inheritdoc cref="SignedText()"/>
    public static string SignedText(long sequence, string headHash, DateTimeOffset signedAt, string keyId) =>
        string.Create(CultureInfo.InvariantCulture, $"cni-dashboard-audit-checkpoint/v{CurrentVersion}\n{sequence}\n{headHash}\n{signedAt.ToUnixTimeMilliseconds()}\n{keyId}");

    /// <summary>Signs the head with a P-256 private key.</summary>
    public static AuditCheckpoint Sign(long sequence, string headHash, DateTimeOffset signedAt, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(signedAt.ToUnixTimeMilliseconds());
        var keyId = KeyIdOf(key);
        var signature = key.SignData(Encoding.UTF8.GetBytes(SignedText(sequence, headHash, at, keyId)), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new AuditCheckpoint { Sequence = sequence, HeadHash = headHash, SignedAt = at, KeyId = keyId, Signature = Convert.ToBase64String(signature) };
    }

    /// <summary>True when the signature verifies with <paramref name="publicKey"/> (and names that key).</summary>
    public bool VerifySignature(ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (Version != CurrentVersion || KeyId != KeyIdOf(publicKey)) return false;
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(Signature);
        }
        catch (FormatException)
        {
            return false;
        }

        return publicKey.VerifyData(Encoding.UTF8.GetBytes(SignedText()), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>First 16 hex digits of the SHA-256 of the key's SubjectPublicKeyInfo (DER).</summary>
    public static string KeyIdOf(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
    }

    /// <summary>The JSON kept in the cluster (an annotation's value).</summary>
    public string ToJson()
    {
        var obj = new JsonObject
        {
            ["version"] = Version,
            ["algorithm"] = Algorithm,
            ["sequence"] = Sequence,
            ["headHash"] = HeadHash,
            ["signedAt"] = SignedAt.ToUnixTimeMilliseconds(),
            ["keyId"] = KeyId,
            ["signature"] = Signature,
        };
        return JsonCanonicalizer.Canonicalize(obj);
    }

    /// <summary>
    /// Reads a checkpoint from its JSON, or from a ConfigMap's JSON (<c>kubectl get configmap … -o json</c>)
    /// carrying it in the annotation <paramref name="annotation"/>.
    /// </summary>
    /// <exception cref="FormatException">Not a checkpoint, with what is wrong.</exception>
    public static AuditCheckpoint Parse(string json, string? annotation = null)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not JSON: {e.Message}", e);
        }

        if (annotation is not null && root?["metadata"]?["annotations"]?[annotation] is JsonValue inner && inner.TryGetValue<string>(out var embedded))
            return Parse(embedded);
        if (root is not JsonObject obj) throw new FormatException("a checkpoint is a JSON object");

        var version = Number(obj, "version");
        if (version != CurrentVersion) throw new FormatException($"checkpoint version {version} is not supported (expected {CurrentVersion})");
        if (Text(obj, "algorithm") != Algorithm) throw new FormatException($"checkpoint algorithm must be {Algorithm}");
        var sequence = Number(obj, "sequence");
        if (sequence < 1) throw new FormatException("checkpoint sequence must be at least 1");
        var head = Text(obj, "headHash");
        if (!AuditCanonicalForm.IsHash(head)) throw new FormatException("checkpoint headHash must be 64 lower-case hex digits");
        var keyId = Text(obj, "keyId");
        if (keyId.Length != 16 || !keyId.All(char.IsAsciiHexDigitLower)) throw new FormatException("checkpoint keyId must be 16 lower-case hex digits");
        return new AuditCheckpoint
        {
            Version = (int)version,
            Sequence = sequence,
            HeadHash = head,
            SignedAt = DateTimeOffset.FromUnixTimeMilliseconds(Number(obj, "signedAt")),
            KeyId = keyId,
            Signature = Text(obj, "signature"),
        };
    }

    private static long Number(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n
        : obj[name] is JsonValue e && e.GetValueKind() == JsonValueKind.Number && long.TryParse(e.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed
        : throw new FormatException($"checkpoint field '{name}' must be a whole number");

    private static string Text(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new FormatException($"checkpoint field '{name}' must be a string");
}
