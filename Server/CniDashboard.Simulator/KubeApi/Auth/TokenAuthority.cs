using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CniDashboard.Simulator.KubeApi.Auth;

/// <summary>
/// Issues and validates ServiceAccount tokens shaped like the API server's bound tokens
/// (header.payload.signature, with the real claims). The signature is an HMAC under a key only
/// this authority holds: not RS256, but unforgeable, so a token it did not issue never passes.
/// A token bound to a pod is valid only while that exact pod (name and uid) exists, which is
/// how deleting a pod revokes the tokens written for it.
/// </summary>
public sealed class TokenAuthority
{
    public const string DefaultIssuer = "https://kubernetes.default.svc.cluster.local";

    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    // kubelet asks for 3607-second tokens; the server warns after that even when it extends them.
    private static readonly TimeSpan WarnAfterCap = TimeSpan.FromSeconds(3607);

    private readonly ClusterState _cluster;
    private readonly TimeProvider _time;
    private readonly byte[] _signingKey;
    private readonly string _keyId;

    public TokenAuthority(ClusterState cluster, string issuer = DefaultIssuer, IReadOnlyList<string>? apiAudiences = null, byte[]? signingKey = null)
    {
        _cluster = cluster;
        _time = cluster.TimeProvider;
        Issuer = issuer;
        ApiAudiences = apiAudiences ?? [DefaultIssuer, "https://kubernetes.default.svc"];
        _signingKey = signingKey ?? RandomNumberGenerator.GetBytes(32);
        _keyId = Base64Url.EncodeToString(SHA256.HashData(_signingKey).AsSpan(0, 24));
    }

    public string Issuer { get; }

    /// <summary>The audiences the API server itself accepts, and a TokenReview without audiences checks against.</summary>
    public IReadOnlyList<string> ApiAudiences { get; }

    /// <summary>The uid of a ServiceAccount; stable for a name, since ServiceAccounts are not stored objects here.</summary>
    public static string ServiceAccountUid(string @namespace, string serviceAccount)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"serviceaccount/{@namespace}/{serviceAccount}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }

    /// <summary>
    /// A token for <c>system:serviceaccount:{namespace}:{serviceAccount}</c>. Audiences default to the
    /// API server's; bind it to a pod to make it die with that pod.
    /// </summary>
    public string IssueServiceAccountToken(
        string @namespace,
        string serviceAccount,
        IReadOnlyList<string>? audiences = null,
        BoundObjectReference? pod = null,
        TimeSpan? lifetime = null,
        BoundObjectReference? node = null)
    {
        var now = _time.GetUtcNow();
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var validFor = lifetime ?? DefaultLifetime;
        var expires = issuedAt + validFor;
        var warnAfter = issuedAt + (validFor < WarnAfterCap ? validFor : WarnAfterCap);

        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "RS256", ["kid"] = _keyId });
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("aud");
            foreach (var audience in audiences ?? ApiAudiences)
            {
                json.WriteStringValue(audience);
            }

            json.WriteEndArray();
            json.WriteNumber("exp", expires.ToUnixTimeSeconds());
            json.WriteNumber("iat", issuedAt.ToUnixTimeSeconds());
            json.WriteString("iss", Issuer);
            json.WriteString("jti", Guid.NewGuid().ToString());
            json.WriteStartObject("kubernetes.io");
            json.WriteString("namespace", @namespace);
            WriteReference(json, "node", node);
            WriteReference(json, "pod", pod);
            WriteReference(json, "serviceaccount", new BoundObjectReference(serviceAccount, ServiceAccountUid(@namespace, serviceAccount)));
            json.WriteNumber("warnafter", warnAfter.ToUnixTimeSeconds());
            json.WriteEndObject();
            json.WriteNumber("nbf", issuedAt.ToUnixTimeSeconds());
            json.WriteString("sub", KubeIdentities.ServiceAccountUsername(@namespace, serviceAccount));
            json.WriteEndObject();
        }

        var signedPart = $"{Base64Url.EncodeToString(header)}.{Base64Url.EncodeToString(buffer.ToArray())}";
        return $"{signedPart}.{Base64Url.EncodeToString(Sign(signedPart))}";
    }

    /// <summary>
    /// Validates as the API server's ServiceAccount authenticator does: signature, issuer, time,
    /// audience (against <paramref name="audiences"/>, or the API's own), then the bound objects.
    /// </summary>
    public TokenValidation Validate(string token, IReadOnlyList<string>? audiences = null)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return TokenValidation.Failed("invalid bearer token");
        }

        if (!SignatureMatches(parts))
        {
            return Invalid("square/go-jose: error in cryptographic primitive");
        }

        var claims = ServiceAccountTokenClaims.Read(token);
        if (claims is null || claims.Issuer != Issuer)
        {
            return TokenValidation.Failed("invalid bearer token");
        }

        var now = _time.GetUtcNow();
        if (now < claims.NotBefore)
        {
            return Invalid("service account token is not valid yet");
        }

        if (now >= claims.Expires)
        {
            return Invalid("service account token has expired");
        }

        var wanted = audiences is { Count: > 0 } ? audiences : ApiAudiences;
        var accepted = claims.Audiences.Intersect(wanted, StringComparer.Ordinal).ToArray();
        if (accepted.Length == 0)
        {
            return Invalid($"token audiences {Quoted(claims.Audiences)} is invalid for the target audiences {Quoted(wanted)}");
        }

        if (claims.Pod is { } pod)
        {
            var live = _cluster.Pods.Get(claims.Namespace, pod.Name);
            if (live is null)
            {
                return Invalid("service account token has been invalidated");
            }

            if (live.Metadata.Uid != pod.Uid)
            {
                return Invalid($"pod UID ({live.Metadata.Uid}) does not match service account pod ref claim ({pod.Uid})");
            }
        }

        if (claims.Node is { } node)
        {
            var live = _cluster.Nodes.Get(node.Name);
            if (live is null || live.Metadata.Uid != node.Uid)
            {
                return Invalid("service account token has been invalidated");
            }
        }

        var extra = new Dictionary<string, IReadOnlyList<string>>
        {
            ["authentication.kubernetes.io/credential-id"] = [$"JTI={claims.TokenId}"],
        };
        if (claims.Node is { } boundNode)
        {
            extra["authentication.kubernetes.io/node-name"] = [boundNode.Name];
            extra["authentication.kubernetes.io/node-uid"] = [boundNode.Uid];
        }

        if (claims.Pod is { } boundPod)
        {
            extra["authentication.kubernetes.io/pod-name"] = [boundPod.Name];
            extra["authentication.kubernetes.io/pod-uid"] = [boundPod.Uid];
        }

        var user = new KubeUser(
            claims.Subject,
            claims.ServiceAccount.Uid,
            ["system:serviceaccounts", $"system:serviceaccounts:{claims.Namespace}", "system:authenticated"],
            extra);
        return new TokenValidation(true, user, accepted, null);
    }

    private static TokenValidation Invalid(string why) => TokenValidation.Failed($"[invalid bearer token, {why}]");

    private static string Quoted(IEnumerable<string> values) => "[" + string.Join(" ", values.Select(v => $"\"{v}\"")) + "]";

    private static void WriteReference(Utf8JsonWriter json, string name, BoundObjectReference? reference)
    {
        if (reference is null)
        {
            return;
        }

        json.WriteStartObject(name);
        json.WriteString("name", reference.Name);
        json.WriteString("uid", reference.Uid);
        json.WriteEndObject();
    }

    private byte[] Sign(string signedPart) => HMACSHA256.HashData(_signingKey, Encoding.ASCII.GetBytes(signedPart));

    private bool SignatureMatches(string[] parts)
    {
        try
        {
            var presented = Base64Url.DecodeFromChars(parts[2]);
            return CryptographicOperations.FixedTimeEquals(presented, Sign($"{parts[0]}.{parts[1]}"));
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
