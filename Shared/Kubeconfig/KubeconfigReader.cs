using System.Text.Json;
using CniDashboard.Shared.Cni;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CniDashboard.Shared.Kubeconfig;

/// <summary>
/// Reads the facts of a plugin kubeconfig (server, CA, token claims) from its YAML. The token is
/// decoded to its claims and a fingerprint, then dropped. Never throws: a broken file gives
/// <see cref="KubeconfigFacts.Error"/>.
/// </summary>
public static class KubeconfigReader
{
    /// <summary>Largest kubeconfig read; plugin kubeconfigs are a few kilobytes.</summary>
    public const int MaxLength = 1 << 20;

    /// <summary>Deepest <c>[</c>/<c>{</c> nesting read; real kubeconfigs nest a few levels, and the YAML parser recurses.</summary>
    public const int MaxFlowDepth = 64;

    /// <summary>True when the text looks like a kubeconfig (by its top-level keys), whatever the file is called.</summary>
    public static bool LooksLikeKubeconfig(string text) =>
        text.Contains("clusters:", StringComparison.Ordinal)
        && (text.Contains("kind: Config", StringComparison.Ordinal) || text.Contains("users:", StringComparison.Ordinal));

    /// <summary>Reads the facts of a kubeconfig.</summary>
    public static KubeconfigFacts Read(string text)
    {
        if (text.Length > MaxLength) return new KubeconfigFacts { Error = "kubeconfig larger than 1 MiB" };
        if (FlowDepth(text) > MaxFlowDepth) return new KubeconfigFacts { Error = $"nested deeper than {MaxFlowDepth} levels; not a kubeconfig" };
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
                return new KubeconfigFacts { Error = "not a YAML mapping" };
            return ReadRoot(root);
        }
        catch (YamlException ex)
        {
            return new KubeconfigFacts { Error = $"invalid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}" };
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or InvalidCastException)
        {
            return new KubeconfigFacts { Error = $"unreadable kubeconfig: {ex.Message}" };
        }
    }

    private static int FlowDepth(string text)
    {
        int depth = 0, max = 0;
        foreach (var c in text)
        {
            if (c is '[' or '{') max = Math.Max(max, ++depth);
            else if (c is ']' or '}' && depth > 0) depth--;
        }
        return max;
    }

    private static KubeconfigFacts ReadRoot(YamlMappingNode root)
    {
        var currentContext = Scalar(root, "current-context");
        var context = Named(root, "contexts", currentContext, "context");
        var clusterName = context is null ? null : Scalar(context, "cluster");
        var userName = context is null ? null : Scalar(context, "user");
        var cluster = Named(root, "clusters", clusterName, "cluster");
        var user = Named(root, "users", userName, "user");
        if (userName is null && user is not null) userName = FirstName(root, "users");

        var token = user is null ? null : Scalar(user, "token");
        return new KubeconfigFacts
        {
            Server = cluster is null ? null : Scalar(cluster, "server"),
            HasCertificateAuthority = cluster is not null
                && (!string.IsNullOrEmpty(Scalar(cluster, "certificate-authority-data")) || !string.IsNullOrEmpty(Scalar(cluster, "certificate-authority"))),
            User = userName,
            Token = string.IsNullOrEmpty(token) ? null : JwtClaimsReader.Read(token),
            TokenFingerprint = string.IsNullOrEmpty(token) ? null : TokenRedactor.Fingerprint(token),
            TokenFile = user is null ? null : Scalar(user, "tokenFile"),
        };
    }

    /// <summary>The inner mapping of the named entry of a list (<c>clusters[name=x].cluster</c>), else the first entry's.</summary>
    private static YamlMappingNode? Named(YamlMappingNode root, string list, string? name, string inner)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(list), out var node) || node is not YamlSequenceNode sequence) return null;
        YamlMappingNode? first = null;
        foreach (var item in sequence.Children.OfType<YamlMappingNode>())
        {
            if (!item.Children.TryGetValue(new YamlScalarNode(inner), out var innerNode) || innerNode is not YamlMappingNode mapping) continue;
            first ??= mapping;
            if (name is not null && Scalar(item, "name") == name) return mapping;
        }
        return first;
    }

    private static string? FirstName(YamlMappingNode root, string list) =>
        root.Children.TryGetValue(new YamlScalarNode(list), out var node) && node is YamlSequenceNode sequence
            ? sequence.Children.OfType<YamlMappingNode>().Select(m => Scalar(m, "name")).FirstOrDefault(n => n is not null)
            : null;

    private static string? Scalar(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode scalar ? scalar.Value : null;
}

/// <summary>Decodes the payload of a JWT. The signature is not checked: this reads facts, it does not trust them.</summary>
public static class JwtClaimsReader
{
    /// <summary>The claims, or null when the token is not a JWT with a JSON payload.</summary>
    public static TokenClaims? Read(string token)
    {
        var parts = token.Trim().Split('.');
        if (parts.Length != 3 || parts[1].Length > 64 * 1024) return null;
        byte[] payload;
        try
        {
            payload = Base64UrlDecode(parts[1]);
        }
        catch (FormatException)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 16 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            var k8s = Object(root, "kubernetes.io");
            return new TokenClaims
            {
                Issuer = String(root, "iss"),
                Subject = String(root, "sub"),
                Audiences = Audiences(root),
                IssuedAt = Time(root, "iat"),
                NotBefore = Time(root, "nbf"),
                ExpiresAt = Time(root, "exp"),
                WarnAfter = k8s is { } k1 ? Time(k1, "warnafter") : null,
                Namespace = k8s is { } k2 ? String(k2, "namespace") : null,
                ServiceAccount = k8s is { } k3 && Object(k3, "serviceaccount") is { } sa ? String(sa, "name") : null,
                PodName = k8s is { } k4 && Object(k4, "pod") is { } pod ? String(pod, "name") : null,
                PodUid = k8s is { } k5 && Object(k5, "pod") is { } pod2 ? String(pod2, "uid") : null,
                NodeName = k8s is { } k6 && Object(k6, "node") is { } node ? String(node, "name") : null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonElement? Object(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    private static string? String(JsonElement e, string name) =>
        JsonText.StringProperty(e, name);

    private static DateTimeOffset? Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var seconds)
            && seconds is > -62135596800 and < 253402300800
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private static IReadOnlyList<string> Audiences(JsonElement root)
    {
        if (!root.TryGetProperty("aud", out var aud)) return [];
        return aud.ValueKind switch
        {
            JsonValueKind.String => [JsonText.String(aud)],
            JsonValueKind.Array => aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(JsonText.String).ToArray(),
            _ => [],
        };
    }

    private static byte[] Base64UrlDecode(string part)
    {
        var s = part.Replace('-', '+').Replace('_', '/');
        s = (s.Length % 4) switch { 2 => s + "==", 3 => s + "=", 0 => s, _ => throw new FormatException("bad base64url length") };
        return Convert.FromBase64String(s);
    }
}
