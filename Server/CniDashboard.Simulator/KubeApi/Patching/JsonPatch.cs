using System.Globalization;
using System.Text.Json.Nodes;

namespace CniDashboard.Simulator.KubeApi.Patching;

/// <summary>JSON patch (RFC 6902): add, remove, replace, move, copy and test operations on JSON pointers.</summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonNode? patch)
    {
        if (patch is not JsonArray operations)
        {
            throw KubeApiException.BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
        }

        var root = new JsonObject { ["doc"] = document };
        foreach (var operation in operations)
        {
            if (operation is not JsonObject op)
            {
                throw KubeApiException.BadRequest("json patch operation must be an object");
            }

            var name = (string?)op["op"];
            var path = (string?)op["path"] ?? throw Unprocessable($"missing path in operation \"{name}\"");
            switch (name)
            {
                case "add":
                    Add(root, path, op["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    Add(root, path, op["value"]?.DeepClone());
                    break;
                case "move":
                    var moved = Remove(root, From(op));
                    Add(root, path, moved);
                    break;
                case "copy":
                    Add(root, path, Get(root, From(op))?.DeepClone());
                    break;
                case "test":
                    var actual = Get(root, path);
                    if (!JsonNode.DeepEquals(actual, op["value"]))
                    {
                        throw Unprocessable($"the server rejected our request due to an error in our request: testing value {path} failed: test failed");
                    }

                    break;
                default:
                    throw Unprocessable($"Unexpected kind: {name}");
            }
        }

        return root["doc"] ?? new JsonObject();
    }

    private static string From(JsonObject op) => (string?)op["from"] ?? throw Unprocessable("missing from in operation");

    private static JsonNode? Get(JsonObject root, string path)
    {
        var (parent, last) = Walk(root, path);
        return parent switch
        {
            JsonObject o when o.TryGetPropertyValue(last, out var child) => child,
            JsonArray a when TryIndex(last, a.Count, false, out var i) => a[i],
            _ => throw Unprocessable($"the server rejected our request due to an error in our request: path {path} not found"),
        };
    }

    private static void Add(JsonObject root, string path, JsonNode? value)
    {
        var (parent, last) = Walk(root, path);
        switch (parent)
        {
            case JsonObject o:
                o.Remove(last);
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when TryIndex(last, a.Count, true, out var i):
                a.Insert(i, value);
                break;
            default:
                throw Unprocessable($"add operation does not apply: doc is missing path: \"{path}\"");
        }
    }

    private static JsonNode? Remove(JsonObject root, string path)
    {
        var (parent, last) = Walk(root, path);
        switch (parent)
        {
            case JsonObject o when o.TryGetPropertyValue(last, out var child):
                o.Remove(last);
                return child;
            case JsonArray a when TryIndex(last, a.Count, false, out var i):
                var removed = a[i];
                a.RemoveAt(i);
                return removed;
            default:
                throw Unprocessable($"remove operation does not apply: doc is missing path: \"{path}\"");
        }
    }

    /// <summary>Resolves every segment but the last; the root document is held under "doc" so "" addresses it.</summary>
    private static (JsonNode? Parent, string Last) Walk(JsonObject root, string path)
    {
        if (path.Length > 0 && path[0] != '/')
        {
            throw Unprocessable($"invalid JSON pointer \"{path}\"");
        }

        var segments = path.Length == 0 ? [] : path[1..].Split('/').Select(Unescape).Prepend("doc").ToArray();
        if (segments.Length == 0)
        {
            segments = ["doc"];
        }

        JsonNode? current = root;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            current = current switch
            {
                JsonObject o => o[segments[i]],
                JsonArray a when TryIndex(segments[i], a.Count, false, out var index) => a[index],
                _ => null,
            };
            if (current is null)
            {
                throw Unprocessable($"doc is missing path: \"{path}\"");
            }
        }

        return (current, segments[^1]);
    }

    private static bool TryIndex(string segment, int count, bool allowEnd, out int index) =>
        int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out index)
        && index >= 0
        && (allowEnd ? index <= count : index < count);

    private static string Unescape(string segment) =>
        segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    private static KubeApiException Unprocessable(string message) => KubeApiException.UnprocessablePatch(message);
}
