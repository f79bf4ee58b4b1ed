using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CniDashboard.Simulator.Installers;

/// <summary>
/// Structural edits of CNI config JSON, written the way the installers' tools write it (jq, Go's
/// <c>json.MarshalIndent</c>): two-space indent, one member per line, key order kept, no trailing
/// newline. Unknown fields and number spellings survive untouched.
/// </summary>
internal static class ConflistJson
{
    public const string PluginsProperty = "plugins";

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The document's top-level object, or null when the bytes are not a JSON object (the tools give up on those too).</summary>
    public static JsonObject? ParseObject(byte[] bytes)
    {
        try
        {
            return JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static byte[] Format(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(Indented));

    /// <summary>The <c>plugins</c> array of a conflist, or null when it has none.</summary>
    public static JsonArray? Plugins(JsonObject conflist) => conflist[PluginsProperty] as JsonArray;

    /// <summary>Removes every plugin object of the given type; returns how many went.</summary>
    public static int RemovePlugins(JsonArray plugins, string type)
    {
        var removed = 0;
        for (var i = plugins.Count - 1; i >= 0; i--)
        {
            if (plugins[i] is JsonObject plugin && TypeOf(plugin) == type)
            {
                plugins.RemoveAt(i);
                removed++;
            }
        }

        return removed;
    }

    public static string? TypeOf(JsonObject plugin) =>
        plugin["type"] is JsonValue value && value.TryGetValue<string>(out var type) ? type : null;

    public static string? NameOf(JsonObject conflist) =>
        conflist["name"] is JsonValue value && value.TryGetValue<string>(out var name) ? name : null;
}
