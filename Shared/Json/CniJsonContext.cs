using System.Text.Json;
using System.Text.Json.Serialization;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Diff;
using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Shared.Json;

/// <summary>
/// Source-generated JSON for the analyzer's documents (report, cluster context, sandbox failures,
/// diffs): camelCase names, camelCase string enums (<c>"severity": "critical"</c>), nulls left out.
/// No reflection, so the NativeAOT agent can use it. Reading is lenient about case, comments and
/// trailing commas, since people write context files by hand.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    WriteIndented = true,
    Converters =
    [
        typeof(CamelCaseEnumConverter<Severity>),
        typeof(CamelCaseEnumConverter<PrimaryStatus>),
        typeof(CamelCaseEnumConverter<CniFileKind>),
        typeof(CamelCaseEnumConverter<FileEditKind>),
        typeof(CamelCaseEnumConverter<SandboxErrorClass>),
        typeof(CamelCaseEnumConverter<SandboxOperation>),
        typeof(CamelCaseEnumConverter<ChainChangeKind>),
        typeof(CamelCaseEnumConverter<DiffLineKind>),
    ])]
[JsonSerializable(typeof(AnalysisReport))]
[JsonSerializable(typeof(NodeClusterContext))]
[JsonSerializable(typeof(Finding))]
[JsonSerializable(typeof(IReadOnlyList<Finding>))]
[JsonSerializable(typeof(SandboxFailure))]
[JsonSerializable(typeof(SideBySideDiff))]
[JsonSerializable(typeof(IReadOnlyList<ChainChange>))]
public sealed partial class CniJsonContext : JsonSerializerContext;

/// <summary>A string enum converter writing camelCase names; reading accepts any case.</summary>
/// <typeparam name="TEnum">The enum.</typeparam>
public sealed class CamelCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
    where TEnum : struct, Enum;

/// <summary>
/// A string map that also accepts booleans and numbers as values (<c>"cni-exclusive": true</c> as well as
/// <c>"true"</c>), as ConfigMap data is often written by hand.
/// </summary>
public sealed class LenientStringMapConverter : JsonConverter<IReadOnlyDictionary<string, string>>
{
    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return new Dictionary<string, string>();
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("expected an object of string values");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString() ?? "";
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.String: result[key] = reader.GetString() ?? ""; break;
                case JsonTokenType.True: result[key] = "true"; break;
                case JsonTokenType.False: result[key] = "false"; break;
                case JsonTokenType.Number: result[key] = System.Text.Encoding.UTF8.GetString(reader.ValueSpan); break;
                case JsonTokenType.Null: break;
                default: throw new JsonException($"value of \"{key}\" must be a string, a boolean or a number");
            }
        }
        return result;
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (key, item) in value) writer.WriteString(key, item);
        writer.WriteEndObject();
    }
}
