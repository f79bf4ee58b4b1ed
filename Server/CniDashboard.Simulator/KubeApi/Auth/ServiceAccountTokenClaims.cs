using System.Buffers.Text;
using System.Text.Json;

namespace CniDashboard.Simulator.KubeApi.Auth;

/// <summary>The claims of a bound ServiceAccount token, as the API server's token issuer writes them.</summary>
public sealed record ServiceAccountTokenClaims(
    string Issuer,
    string Subject,
    IReadOnlyList<string> Audiences,
    DateTimeOffset IssuedAt,
    DateTimeOffset NotBefore,
    DateTimeOffset Expires,
    string TokenId,
    string Namespace,
    BoundObjectReference ServiceAccount,
    BoundObjectReference? Pod,
    BoundObjectReference? Node,
    DateTimeOffset? WarnAfter)
{
    /// <summary>Reads the payload without checking anything; null when the text is not a JWT of this shape.</summary>
    public static ServiceAccountTokenClaims? Read(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var root = payload.RootElement;
            var kubernetes = root.GetProperty("kubernetes.io");
            return new ServiceAccountTokenClaims(
                root.GetProperty("iss").GetString() ?? "",
                root.GetProperty("sub").GetString() ?? "",
                [.. root.GetProperty("aud").EnumerateArray().Select(a => a.GetString() ?? "")],
                Seconds(root, "iat")!.Value,
                Seconds(root, "nbf")!.Value,
                Seconds(root, "exp")!.Value,
                root.TryGetProperty("jti", out var jti) ? jti.GetString() ?? "" : "",
                kubernetes.GetProperty("namespace").GetString() ?? "",
                Reference(kubernetes, "serviceaccount")!,
                Reference(kubernetes, "pod"),
                Reference(kubernetes, "node"),
                Seconds(kubernetes, "warnafter"));
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private static DateTimeOffset? Seconds(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? DateTimeOffset.FromUnixTimeSeconds(value.GetInt64()) : null;

    private static BoundObjectReference? Reference(JsonElement kubernetes, string name) =>
        kubernetes.TryGetProperty(name, out var value)
            ? new BoundObjectReference(value.GetProperty("name").GetString() ?? "", value.GetProperty("uid").GetString() ?? "")
            : null;
}
