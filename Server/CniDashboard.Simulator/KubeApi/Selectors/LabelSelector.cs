using k8s.Models;

namespace CniDashboard.Simulator.KubeApi.Selectors;

/// <summary>
/// A parsed <c>labelSelector</c>: every requirement must hold (the comma is an AND), as in
/// <c>app=cilium,tier!=edge,zone in (a,b),!legacy</c>.
/// </summary>
public sealed class LabelSelector
{
    public static readonly LabelSelector Everything = new([]);

    private LabelSelector(IReadOnlyList<LabelRequirement> requirements)
    {
        Requirements = requirements;
    }

    public IReadOnlyList<LabelRequirement> Requirements { get; }

    public bool IsEmpty => Requirements.Count == 0;

    public bool Matches(IDictionary<string, string>? labels)
    {
        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses the query-string form; a malformed selector is a 400 as on the real server.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var requirements = new List<LabelRequirement>();
        foreach (var term in SplitTopLevel(text))
        {
            requirements.Add(ParseRequirement(term.Trim(), text));
        }

        return new LabelSelector(requirements);
    }

    /// <summary>The structured selector of a DaemonSet, Deployment or similar.</summary>
    public static LabelSelector From(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return Everything;
        }

        var requirements = new List<LabelRequirement>();
        if (selector.MatchLabels is not null)
        {
            foreach (var (key, value) in selector.MatchLabels)
            {
                requirements.Add(new LabelRequirement(key, LabelOperator.Equals, [value]));
            }
        }

        if (selector.MatchExpressions is not null)
        {
            foreach (var expression in selector.MatchExpressions)
            {
                var op = expression.OperatorProperty switch
                {
                    "In" => LabelOperator.In,
                    "NotIn" => LabelOperator.NotIn,
                    "Exists" => LabelOperator.Exists,
                    "DoesNotExist" => LabelOperator.DoesNotExist,
                    _ => throw KubeApiException.BadRequest($"\"{expression.OperatorProperty}\" is not a valid label selector operator"),
                };
                requirements.Add(new LabelRequirement(expression.Key, op, [.. expression.Values ?? []]));
            }
        }

        return new LabelSelector(requirements);
    }

    /// <summary>Node selectors are plain equality maps.</summary>
    public static LabelSelector FromMap(IDictionary<string, string>? map) =>
        map is null || map.Count == 0
            ? Everything
            : new LabelSelector([.. map.Select(pair => new LabelRequirement(pair.Key, LabelOperator.Equals, [pair.Value]))]);

    public override string ToString() => string.Join(",", Requirements);

    private static LabelRequirement ParseRequirement(string term, string whole)
    {
        if (term.Length == 0)
        {
            throw Invalid(whole, "empty requirement");
        }

        if (term[0] == '!')
        {
            return new LabelRequirement(CheckKey(term[1..].Trim(), whole), LabelOperator.DoesNotExist, []);
        }

        var setMatch = FindSetOperator(term);
        if (setMatch is { } set)
        {
            var key = CheckKey(term[..set.Index].Trim(), whole);
            var rest = term[(set.Index + set.Length)..].Trim();
            if (rest.Length < 2 || rest[0] != '(' || rest[^1] != ')')
            {
                throw Invalid(whole, $"expected a parenthesised set of values after '{key}'");
            }

            var values = rest[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return new LabelRequirement(key, set.Operator, values);
        }

        foreach (var (token, op) in BinaryOperators)
        {
            var at = term.IndexOf(token, StringComparison.Ordinal);
            if (at > 0)
            {
                var key = CheckKey(term[..at].Trim(), whole);
                var value = term[(at + token.Length)..].Trim();
                return new LabelRequirement(key, op, [value]);
            }
        }

        return new LabelRequirement(CheckKey(term, whole), LabelOperator.Exists, []);
    }

    // Longest tokens first so "!=" and "==" are not read as "=".
    private static readonly (string Token, LabelOperator Operator)[] BinaryOperators =
    [
        ("!=", LabelOperator.NotEquals),
        ("==", LabelOperator.Equals),
        ("=", LabelOperator.Equals),
        (">", LabelOperator.GreaterThan),
        ("<", LabelOperator.LessThan),
    ];

    private static (int Index, int Length, LabelOperator Operator)? FindSetOperator(string term)
    {
        foreach (var (word, op) in new[] { (" notin ", LabelOperator.NotIn), (" in ", LabelOperator.In) })
        {
            var at = term.IndexOf(word, StringComparison.Ordinal);
            if (at > 0)
            {
                return (at, word.Length, op);
            }
        }

        return null;
    }

    private static string CheckKey(string key, string whole)
    {
        if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or ',' or '=' or '!'))
        {
            throw Invalid(whole, $"invalid label key \"{key}\"");
        }

        return key;
    }

    private static KubeApiException Invalid(string whole, string why) =>
        KubeApiException.BadRequest($"unable to parse requirement: {why} in label selector \"{whole}\"");

    /// <summary>Splits on commas that are not inside a parenthesised value set.</summary>
    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }
}
