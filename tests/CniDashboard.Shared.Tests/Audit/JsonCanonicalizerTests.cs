using System.Text.Json.Nodes;
using CniDashboard.Shared.Audit;

namespace CniDashboard.Shared.Tests.Audit;

/// <summary>RFC 8785 (JCS): the vectors of its sections 3.2.2 and 3.2.3 and appendix B.</summary>
public sealed class JsonCanonicalizerTests
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("4.50", "4.5")]
    [InlineData("2e-3", "0.002")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("1e-7", "1e-7")]
    [InlineData("1E30", "1e+30")]
    [InlineData("1e21", "1e+21")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("333333333.33333329", "333333333.3333333")]
    [InlineData("-1.5e-10", "-1.5e-10")]
    [InlineData("9007199254740993", "9007199254740992")]
    [InlineData("295147905179352830000", "295147905179352830000")]
    [InlineData("5e-324", "5e-324")]
    [InlineData("1.7976931348623157e308", "1.7976931348623157e+308")]
    public void Numbers_take_ecmascripts_shortest_form(string json, string expected)
    {
        Assert.Equal(expected, JsonCanonicalizer.Canonicalize(json));
    }

    [Fact]
    public void Numbers_made_from_dotnet_values_are_written_the_same_way_as_parsed_ones()
    {
        var obj = new JsonObject { ["i"] = 42, ["l"] = 9_000_000_000L, ["d"] = 0.1, ["m"] = 4.50m, ["b"] = true, ["n"] = null };

        Assert.Equal("""{"b":true,"d":0.1,"i":42,"l":9000000000,"m":4.5,"n":null}""", JsonCanonicalizer.Canonicalize(obj));
    }

    [Fact]
    public void Strings_escape_only_quote_backslash_and_control_characters_and_keep_the_rest_literal()
    {
        var value = JsonValue.Create("€$\u000F\nA'B\"\\\\\"/\u2028\U0001F600");

        Assert.Equal("\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\u2028\U0001F600\"", JsonCanonicalizer.Canonicalize(value));
    }

    [Fact]
    public void A_lone_surrogate_is_escaped_so_the_text_stays_valid_utf8()
    {
        Assert.Equal("\"a\\ud800b\\udc00\"", JsonCanonicalizer.Canonicalize(JsonValue.Create("a\ud800b\udc00")));
    }

    [Fact]
    public void Members_are_sorted_by_utf16_code_units_recursively_without_whitespace()
    {
        // RFC 8785 section 3.2.3.
        var json = """{ "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis", "nested": { "b": [3, {"z": 1, "a": 2}], "a": null } }""";

        Assert.Equal(
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"nested\":{\"a\":null,\"b\":[3,{\"a\":2,\"z\":1}]},\"\u0080\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"\U0001F600\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}",
            JsonCanonicalizer.Canonicalize(json));
    }

    [Fact]
    public void Canonical_text_is_a_fixed_point()
    {
        var once = JsonCanonicalizer.Canonicalize("""{"b": [1.0, 2e0, "x"], "a": {"d": false, "c": "\u00e9"}}""");

        Assert.Equal("""{"a":{"c":"é","d":false},"b":[1,2,"x"]}""", once);
        Assert.Equal(once, JsonCanonicalizer.Canonicalize(once));
    }
}
