using System.Runtime.InteropServices;
using System.Text;
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
            if (NameEqualsIgnoreCase(property, name))
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
            if (!NameEqualsIgnoreCase(property, name)) continue;
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String: value = JsonText.String(property.Value); break;
                case JsonValueKind.Null: break;
                default: wrongKind ??= property.Value.ValueKind; break;
            }
        }
        return value;
    }

    /// <summary>
    /// True when the property's name equals an ASCII field name ignoring case. Compares the raw UTF-8
    /// name, so the hot path of every plugin object allocates nothing; escaped names take the slow path.
    /// </summary>
    public static bool NameEqualsIgnoreCase(JsonProperty property, string asciiName)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        return raw.IndexOf((byte)'\\') < 0
            ? Ascii.EqualsIgnoreCase(raw, asciiName)
            : string.Equals(JsonText.Name(property), asciiName, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when the property's name contains an ASCII word ignoring case, without allocating on the common path.</summary>
    public static bool NameContainsIgnoreCase(JsonProperty property, ReadOnlySpan<byte> asciiWord)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        if (raw.IndexOf((byte)'\\') >= 0)
            return JsonText.Name(property).Contains(Encoding.ASCII.GetString(asciiWord), StringComparison.OrdinalIgnoreCase);
        for (var i = 0; i + asciiWord.Length <= raw.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(raw.Slice(i, asciiWord.Length), asciiWord)) return true;
        }
        return false;
    }
}
