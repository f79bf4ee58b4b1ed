using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CniDashboard.Shared.Agent;

/// <summary>
/// Source-generated JSON for the agent's wire contracts (camelCase, enums as strings, nulls left
/// out). The NativeAOT agent and the dashboard's poller both use it, so the two can never disagree
/// on a field name.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NodeSnapshot))]
[JsonSerializable(typeof(ApplyFileRequest))]
[JsonSerializable(typeof(RestoreFileRequest))]
[JsonSerializable(typeof(DeleteFileRequest))]
[JsonSerializable(typeof(PinBackupRequest))]
[JsonSerializable(typeof(FileChangeResult))]
[JsonSerializable(typeof(AgentError))]
[JsonSerializable(typeof(BackupInfo))]
[JsonSerializable(typeof(IReadOnlyList<BackupInfo>))]
public sealed partial class AgentJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The same contracts, written without HTML-safe escaping (<c>"</c> stays <c>"</c>, not
    /// <c>\u0022</c>): config content is mostly quotes, and the wire JSON is never embedded in a page.
    /// </summary>
    public static AgentJsonContext Wire => WireHolder.Instance;

    // A holder class, so Default is initialized first whatever order the partial files run in.
    private static class WireHolder
    {
        internal static readonly AgentJsonContext Instance =
            new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
