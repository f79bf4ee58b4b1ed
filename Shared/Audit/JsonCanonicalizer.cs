using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CniDashboard.Shared.Audit;

/// <summary>
/// The JSON Canonicalization Scheme (RFC 8785, "JCS"): one byte sequence per JSON value, so a hash
/// over it can be recomputed by anyone, in any language. Objects' members sorted by their names'
/// UTF-16 code units, no whitespace, strings escaped as ECMAScript's <c>JSON.stringify</c> does
/// (only <c>"</c>, <c>\</c> and control characters; everything else literal, lone surrogates as
/// <c>\uXXXX</c>), numbers as IEEE-754 doubles in ECMAScript's shortest form (<c>1e+21</c>, <c>1e-7</c>, <c>0.5</c>).
/// </summary>
public static class JsonCanonicalizer
{
    /// <summary>The canonical text of a JSON value (<c>null</c> for a null node).</summary>
    /// <exception cref="ArgumentException">A number that is not finite.</exception>
    public static string Canonicalize(JsonNode? node)
    {
        var builder = new StringBuilder();
        Write(builder, node);
        return builder.ToString();
    }

    /// <summary>Parses JSON text and returns its canonical text.</summary>
    /// <exception cref="JsonException">The text is not JSON.</exception>
    public static string Canonicalize(string json) => Canonicalize(JsonNode.Parse(json));

    /// <summary>Appends the canonical text of a value.</summary>
    public static void Write(StringBuilder builder, JsonNode? node)
    {
        ArgumentNullException.ThrowIfNull(builder);
        switch (node)
        {
            case null:
                builder.Append("null");
                break;
            case JsonObject obj:
                builder.Append('{');
                var first = true;
                foreach (var (name, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first) builder.Append(',');
                    first = false;
                    WriteString(builder, name);
                    builder.Append(':');
                    Write(builder, value);
                }

                builder.Append('}');
                break;
            case JsonArray array:
                builder.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0) builder.Append(',');
                    Write(builder, array[i]);
                }

                builder.Append(']');
                break;
            default:
                WriteValue(builder, node.AsValue());
                break;
        }
    }

    /// <summary>Appends a JSON string literal escaped the RFC 8785 way.</summary>
    public static void WriteString(StringBuilder builder, string value)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(value);
        builder.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < 0x20 || IsLoneSurrogate(value, i))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsHighSurrogate(c))
                    {
                        builder.Append(c).Append(value[++i]);
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }

    /// <summary>A finite double in ECMAScript's <c>Number.prototype.toString</c> form, as RFC 8785 requires.</summary>
    /// <exception cref="ArgumentException">NaN or an infinity (not JSON).</exception>
    public static string FormatNumber(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentException($"{value} is not a JSON number.", nameof(value));
        if (value == 0) return "0";

        // .NET's "R" is the shortest text that round-trips: the digits ECMAScript picks too.
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = text[0] == '-';
        if (negative) text = text[1..];
        var exponentAt = text.IndexOfAny(['E', 'e']);
        var exponent = exponentAt < 0 ? 0 : int.Parse(text[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = exponentAt < 0 ? text : text[..exponentAt];
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        var integerDigits = point < 0 ? mantissa.Length : point;
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        // value = 0.d1d2…dk × 10^n
        var n = integerDigits - leadingZeros + exponent;
        var k = digits.Length;

        var builder = new StringBuilder();
        if (negative) builder.Append('-');
        if (k <= n && n <= 21)
        {
            builder.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            builder.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            builder.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            builder.Append(digits[0]);
            if (k > 1) builder.Append('.').Append(digits, 1, k - 1);
            builder.Append('e').Append(n - 1 >= 0 ? '+' : '-').Append(Math.Abs(n - 1).ToString(CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    private static void WriteValue(StringBuilder builder, JsonValue value)
    {
        if (value.TryGetValue<string>(out var s))
        {
            WriteString(builder, s);
            return;
        }

        if (value.TryGetValue<bool>(out var b))
        {
            builder.Append(b ? "true" : "false");
            return;
        }

        // Whatever the value was made from (int, long, decimal, a parsed element), JSON numbers are doubles here.
        using var document = JsonDocument.Parse(value.ToJsonString());
        var element = document.RootElement;
        switch (element.ValueKind)
        {
            case JsonValueKind.Number:
                builder.Append(FormatNumber(element.GetDouble()));
                break;
            case JsonValueKind.String:
                WriteString(builder, element.GetString()!);
                break;
            case JsonValueKind.True:
                builder.Append("true");
                break;
            case JsonValueKind.False:
                builder.Append("false");
                break;
            case JsonValueKind.Null:
                builder.Append("null");
                break;
            default:
                Write(builder, JsonNode.Parse(element.GetRawText()));
                break;
        }
    }

    private static bool IsLoneSurrogate(string value, int i)
    {
        var c = value[i];
        if (char.IsHighSurrogate(c)) return i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]);
        return char.IsLowSurrogate(c);
    }
}
