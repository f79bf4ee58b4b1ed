using System.Security.Cryptography;
using System.Text;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Kubeconfig;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>
/// Builds the mechanical edits rules attach: remove plugin objects from a conflist keeping every
/// other byte, or delete a file. Returns null whenever the edit could not be made safely.
/// </summary>
internal static class PluginRemoval
{
    /// <summary>
    /// Removes the plugins at <paramref name="indexes"/> from the file's conflist: each object goes with
    /// exactly one separating comma and the whitespace between, so the rest of the text is untouched.
    /// Null when the content is redacted (writing it back would put a placeholder over a real secret),
    /// when every plugin would go, or when the result would not load.
    /// </summary>
    public static FileEdit? Remove(CniFolderFile file, NetworkConfigList config, IReadOnlyCollection<int> indexes, string summary)
    {
        if (config.Role != CniFileRole.ConfigList || indexes.Count == 0 || indexes.Count >= config.Plugins.Count) return null;
        if (config.Text.Contains(TokenRedactor.Marker, StringComparison.Ordinal)) return null;

        var removed = indexes.ToHashSet();
        var text = RemoveAll(config.Text, config.Plugins, removed);
        if (text is null) return null;
        var current = CniConfigParser.Load(config.FileName, text).Config;
        if (current is null) return null;

        var expected = config.Plugins.Where(p => !removed.Contains(p.Index)).Select(p => p.Type);
        if (!current.ChainTypes.SequenceEqual(expected, StringComparer.Ordinal)) return null;

        return new FileEdit
        {
            Kind = FileEditKind.Replace,
            File = file.Name,
            ExpectedSha256 = Sha256Of(file, config.Text),
            NewContent = text,
            Summary = summary,
        };
    }

    /// <summary>A delete of the whole file.</summary>
    public static FileEdit Delete(CniFolderFile file, string summary) => new()
    {
        Kind = FileEditKind.Delete,
        File = file.Name,
        ExpectedSha256 = file.Sha256 ?? (file.Content is { } c && !c.Contains(TokenRedactor.Marker, StringComparison.Ordinal) ? Hash(c) : null),
        Summary = summary,
    };

    /// <summary>
    /// Cuts the removed objects out in one pass over the original text: a removed object followed by
    /// any other takes its trailing comma and whitespace (<c>[start_i, start_i+1)</c>); a removed run at
    /// the end of the array takes the comma before it instead (<c>[end_k-1, end_last)</c>).
    /// </summary>
    private static string? RemoveAll(string text, IReadOnlyList<PluginConfig> plugins, HashSet<int> removed)
    {
        var n = plugins.Count;
        if (removed.Any(i => i < 0 || i >= n)) return null;
        foreach (var plugin in plugins)
        {
            if (!IsObjectSpan(text, plugin.Span)) return null;
        }

        var tailStart = n;
        while (tailStart > 0 && removed.Contains(tailStart - 1)) tailStart--;
        if (tailStart == 0) return null;

        var result = new System.Text.StringBuilder(text.Length);
        var copied = 0;
        for (var i = 0; i < tailStart; i++)
        {
            if (!removed.Contains(i)) continue;
            var (start, end) = (plugins[i].Span.Start, plugins[i + 1].Span.Start);
            if (!IsOneComma(text, plugins[i].Span.End, end)) return null;
            result.Append(text, copied, start - copied);
            copied = end;
        }
        if (tailStart < n)
        {
            var (start, end) = (plugins[tailStart - 1].Span.End, plugins[n - 1].Span.End);
            for (var i = tailStart; i < n; i++)
            {
                if (!IsOneComma(text, plugins[i - 1].Span.End, plugins[i].Span.Start)) return null;
            }
            result.Append(text, copied, start - copied);
            copied = end;
        }
        result.Append(text, copied, text.Length - copied);
        return result.ToString();
    }

    private static bool IsObjectSpan(string text, TextSpan span) =>
        span.Length >= 2 && span.End <= text.Length && text[span.Start] == '{' && text[span.End - 1] == '}';

    private static bool IsOneComma(string text, int from, int to)
    {
        if (from > to) return false;
        var commas = 0;
        for (var i = from; i < to; i++)
        {
            var c = text[i];
            if (c == ',') commas++;
            else if (c is not (' ' or '\t' or '\r' or '\n')) return false;
        }
        return commas == 1;
    }

    private static string Sha256Of(CniFolderFile file, string text) => file.Sha256 ?? Hash(text);

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
