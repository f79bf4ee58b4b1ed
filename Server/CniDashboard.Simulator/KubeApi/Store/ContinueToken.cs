using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CniDashboard.Simulator.KubeApi.Store;

/// <summary>
/// The opaque <c>continue</c> value, in the real server's shape: base64 of
/// <c>{"v":"meta.k8s.io/v1","rv":N,"start":"key\u0000"}</c> — the list's resourceVersion and where the next page starts.
/// </summary>
internal sealed record ContinueToken(
    [property: JsonPropertyName("v")] string Version,
    [property: JsonPropertyName("rv")] long ResourceVersion,
    [property: JsonPropertyName("start")] string Start)
{
    private const string CurrentVersion = "meta.k8s.io/v1";

    public static string Encode(long resourceVersion, string lastKey)
    {
        // The trailing NUL makes "start" the first key strictly after the last one returned.
        var json = JsonSerializer.SerializeToUtf8Bytes(new ContinueToken(CurrentVersion, resourceVersion, lastKey + "\0"), ContinueTokenJson.Default.ContinueToken);
        return Base64Url.EncodeToString(json);
    }

    public static ContinueToken Decode(string token)
    {
        try
        {
            var bytes = Base64Url.DecodeFromChars(token);
            var decoded = JsonSerializer.Deserialize(bytes, ContinueTokenJson.Default.ContinueToken);
            if (decoded is null || decoded.Version != CurrentVersion || decoded.ResourceVersion <= 0)
            {
                throw Invalid("unknown continue token version or resource version");
            }

            return decoded;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw Invalid(e.Message);
        }
    }

    /// <summary>The last key of the previous page (the token stores it with a trailing NUL).</summary>
    public string AfterKey => Start.EndsWith('\0') ? Start[..^1] : Start;

    private static KubeApiException Invalid(string why) =>
        KubeApiException.BadRequest($"continue key is not valid: {why}");
}

[JsonSerializable(typeof(ContinueToken))]
internal sealed partial class ContinueTokenJson : JsonSerializerContext;
