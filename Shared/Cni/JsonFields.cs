using System.Text.Json;

namespace CniDashboard.Shared.Cni;

/// <summary>Property lookups with Go's <c>encoding/json</c> semantics rather than System.Text.Json's.</summary>
internal static class JsonFields
{
    /// <summary>A map key: exact name, the last duplicate wins.</summary>
    public static bool TryGetLast(JsonElement obj, string name, out JsonElement value)
    {
        value = default;
        var found = false;
        foreach (var property in obj.EnumerateObject())
        {
            if (property.NameEquals(name))
            {
                value = property.Value;
                found = true;
            }
        }
        return found;
    }

    /// <summary>A struct field: any key equal ignoring case, the last one wins.</summary>
    public static bool TryGetLastIgnoreCase(JsonElement obj, string name, out JsonElement value)
    {
        value = default;
        var found = false;
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(JsonText.Name(property), name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                found = true;
            }
        }
        return found;
    }

    /// <summary>
    /// A string struct field as Go decodes it: keys equal ignoring case, in document order; a string
    /// replaces the value, a null leaves it as it was, anything else is a type error (the first one is reported).
    /// </summary>
    public static string? GetStructString(JsonElement obj, string name, out JsonValueKind? wrongKind)
    {
        wrongKind = null;
        string? value = null;
        foreach (var property in obj.EnumerateObject())
        {
            if (!string.Equals(JsonText.Name(property), name, StringComparison.OrdinalIgnoreCase)) continue;
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String: value = JsonText.String(property.Value); break;
                case JsonValueKind.Null: break;
                default: wrongKind ??= property.Value.ValueKind; break;
            }
        }
        return value;
    }
}
