using System.Text;
using System.Text.Json;

namespace CniDashboard.Shared.Cni;

/// <summary>
/// Reads JSON strings the way Go does: an escaped lone surrogate (<c>"\ud800"</c>) becomes U+FFFD
/// instead of failing. System.Text.Json throws on those, and a config file may hold anything.
/// </summary>
public static class JsonText
{
    /// <summary>The value of a JSON string element, never throwing on broken escapes.</summary>
    public static string String(JsonElement element)
    {
        try
        {
            return element.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            return Unescape(element.GetRawText());
        }
    }

    /// <summary>A property's name, never throwing on broken escapes.</summary>
    public static string Name(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            // The raw property text is "name": value; the name is the first JSON string in it.
            var raw = property.ToString();
            var end = raw.IndexOf("\":", StringComparison.Ordinal);
            return end > 0 ? Unescape(raw[..(end + 1)]) : "\uFFFD";
        }
    }

    /// <summary>A string property of an object, or null when absent or not a string.</summary>
    public static string? StringProperty(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? String(value) : null;

    private static string Unescape(string quoted)
    {
        var s = quoted.Length >= 2 && quoted[0] == '"' && quoted[^1] == '"' ? quoted[1..^1] : quoted;
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c != '\\' || i + 1 >= s.Length)
            {
                sb.Append(c);
                continue;
            }
            var e = s[++i];
            switch (e)
            {
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u' when i + 4 < s.Length && ushort.TryParse(s.AsSpan(i + 1, 4), System.Globalization.NumberStyles.HexNumber, null, out var code):
                    sb.Append((char)code);
                    i += 4;
                    break;
                default: sb.Append(e); break;
            }
        }

        // Pair what pairs; every lone surrogate becomes U+FFFD, as Go's decoder does.
        for (var i = 0; i < sb.Length; i++)
        {
            if (char.IsHighSurrogate(sb[i]) && i + 1 < sb.Length && char.IsLowSurrogate(sb[i + 1])) i++;
            else if (char.IsSurrogate(sb[i])) sb[i] = '\uFFFD';
        }
        return sb.ToString();
    }
}
