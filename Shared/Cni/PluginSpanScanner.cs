using System.Text;
using System.Text.Json;

namespace CniDashboard.Shared.Cni;

/// <summary>
/// Finds where plugin objects stand in the original text, so an edit can remove one object and
/// leave every other byte of the file as it was.
/// </summary>
internal static class PluginSpanScanner
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = CniConfigParser.MaxDepth };

    /// <summary>Spans of the elements of the last top-level <c>plugins</c> array (the one Go keeps).</summary>
    public static IReadOnlyList<TextSpan> ListElementSpans(byte[] utf8, ByteToCharOffsets offsets)
    {
        var reader = new Utf8JsonReader(utf8, Options);
        List<TextSpan> result = [];
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return result;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isPlugins = reader.ValueTextEquals("plugins"u8);
            reader.Read();
            if (isPlugins && reader.TokenType == JsonTokenType.StartArray)
            {
                result = [];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    var end = (int)reader.BytesConsumed;
                    result.Add(offsets.Span(start, end));
                }
            }
            else
            {
                reader.Skip();
            }
        }
        return result;
    }

    /// <summary>The span of the top-level value.</summary>
    public static TextSpan RootSpan(byte[] utf8, ByteToCharOffsets offsets)
    {
        var reader = new Utf8JsonReader(utf8, Options);
        if (!reader.Read()) return default;
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return offsets.Span(start, (int)reader.BytesConsumed);
    }
}

/// <summary>Converts UTF-8 byte offsets of a document to character offsets of its text.</summary>
internal sealed class ByteToCharOffsets(byte[] utf8)
{
    private readonly bool _ascii = Ascii.IsValid(utf8);

    public int CharOffset(int byteOffset) =>
        _ascii ? byteOffset : Encoding.UTF8.GetCharCount(utf8, 0, Math.Clamp(byteOffset, 0, utf8.Length));

    public TextSpan Span(int startByte, int endByte)
    {
        var start = CharOffset(startByte);
        return new TextSpan(start, CharOffset(endByte) - start);
    }
}
