using System.Text.Json.Nodes;

namespace CniDashboard.Simulator.KubeApi.Patching;

/// <summary>JSON merge patch (RFC 7386): objects merge recursively, <c>null</c> removes, anything else replaces.</summary>
internal static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (name, value) in patchObject)
        {
            // Strategic-merge directives such as "$patch" or "$retainKeys" have no meaning here.
            if (name.StartsWith('$'))
            {
                continue;
            }

            if (value is null)
            {
                result.Remove(name);
                continue;
            }

            var existing = result[name];
            result.Remove(name);
            result[name] = Apply(existing, value);
        }

        return result;
    }
}
