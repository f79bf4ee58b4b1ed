namespace CniDashboard.Simulator.KubeApi.Selectors;

/// <summary>
/// A parsed <c>fieldSelector</c> such as <c>spec.nodeName=ip-10-0-1-5.ec2.internal,status.phase!=Running</c>.
/// Which fields exist depends on the resource; an unknown one is refused the way the real server does.
/// </summary>
public sealed class FieldSelector
{
    public static readonly FieldSelector Everything = new([]);

    private FieldSelector(IReadOnlyList<FieldRequirement> requirements)
    {
        Requirements = requirements;
    }

    public IReadOnlyList<FieldRequirement> Requirements { get; }

    public bool IsEmpty => Requirements.Count == 0;

    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var requirements = new List<FieldRequirement>();
        foreach (var term in SplitUnescaped(text, ','))
        {
            var trimmed = term.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            requirements.Add(ParseTerm(trimmed, text));
        }

        return new FieldSelector(requirements);
    }

    /// <summary>The value required by an equality clause on <paramref name="field"/>, if there is one.</summary>
    public string? EqualityValue(string field)
    {
        foreach (var requirement in Requirements)
        {
            if (requirement.Field == field && !requirement.Negated)
            {
                return requirement.Value;
            }
        }

        return null;
    }

    public override string ToString() => string.Join(",", Requirements);

    private static FieldRequirement ParseTerm(string term, string whole)
    {
        foreach (var (token, negated) in new[] { ("!=", true), ("==", false), ("=", false) })
        {
            var at = IndexOfUnescaped(term, token);
            if (at > 0)
            {
                return new FieldRequirement(term[..at].Trim(), negated, Unescape(term[(at + token.Length)..].Trim()));
            }
        }

        throw KubeApiException.BadRequest($"invalid selector: '{whole}'; can't understand '{term}'");
    }

    private static int IndexOfUnescaped(string text, string token)
    {
        for (var i = 0; i + token.Length <= text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                continue;
            }

            if (string.CompareOrdinal(text, i, token, 0, token.Length) == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static IEnumerable<string> SplitUnescaped(string text, char separator)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == separator)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }

    private static string Unescape(string value) =>
        value.Contains('\\', StringComparison.Ordinal)
            ? value.Replace("\\,", ",", StringComparison.Ordinal).Replace("\\=", "=", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal)
            : value;
}

/// <summary>One clause: <c>field=value</c>, <c>field==value</c> or <c>field!=value</c>.</summary>
public sealed record FieldRequirement(string Field, bool Negated, string Value)
{
    public bool Matches(string actual) => Negated ? actual != Value : actual == Value;

    public override string ToString() => Negated ? $"{Field}!={Value}" : $"{Field}={Value}";
}
