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

        var text = config.Text;
        var current = config;
        // Highest index first, so lower plugins keep their index in the re-read text.
        foreach (var index in indexes.Distinct().OrderDescending())
        {
            if (index < 0 || index >= current.Plugins.Count) return null;
            text = RemoveOne(text, current.Plugins, index);
            if (text is null) return null;
            var reloaded = CniConfigParser.Load(config.FileName, text).Config;
            if (reloaded is null) return null;
            current = reloaded;
        }

        var expected = config.Plugins.Where(p => !indexes.Contains(p.Index)).Select(p => p.Type);
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

    private static string? RemoveOne(string text, IReadOnlyList<PluginConfig> plugins, int index)
    {
        var span = plugins[index].Span;
        if (!IsObjectSpan(text, span)) return null;
        int start, end;
        if (index < plugins.Count - 1)
        {
            var next = plugins[index + 1].Span;
            if (!IsObjectSpan(text, next) || !IsOneComma(text, span.End, next.Start)) return null;
            (start, end) = (span.Start, next.Start);
        }
        else
        {
            var previous = plugins[index - 1].Span;
            if (!IsObjectSpan(text, previous) || !IsOneComma(text, previous.End, span.Start)) return null;
            (start, end) = (previous.End, span.End);
        }
        return string.Concat(text.AsSpan(0, start), text.AsSpan(end));
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
