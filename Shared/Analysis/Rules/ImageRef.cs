namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>A container image reference taken apart: <c>cr.l5d.io/linkerd/cni-plugin:v1.6.2</c>.</summary>
/// <param name="Repository">Everything before the tag or digest.</param>
/// <param name="Tag">The tag, when there is one.</param>
/// <param name="Version">The tag read as a version (<c>v1.6.2</c>, <c>1.24.0-distroless</c>), when it is one.</param>
internal sealed record ImageRef(string Repository, string? Tag, Version? Version)
{
    public static ImageRef? Parse(string? image)
    {
        if (string.IsNullOrWhiteSpace(image)) return null;
        var text = image.Trim();
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0) text = text[..at];
        var slash = text.LastIndexOf('/');
        var colon = text.LastIndexOf(':');
        if (colon <= slash) return new ImageRef(text, null, null);
        var tag = text[(colon + 1)..];
        return new ImageRef(text[..colon], tag, ParseVersion(tag));
    }

    /// <summary>True when the repository is, or ends with, <paramref name="suffix"/> (any registry).</summary>
    public bool Is(string suffix) =>
        Repository == suffix || Repository.EndsWith("/" + suffix, StringComparison.Ordinal);

    public override string ToString() => Tag is null ? Repository : $"{Repository}:{Tag}";

    private static Version? ParseVersion(string tag)
    {
        var t = tag.StartsWith('v') ? tag[1..] : tag;
        var end = 0;
        while (end < t.Length && (char.IsAsciiDigit(t[end]) || t[end] == '.')) end++;
        var core = t[..end].Trim('.');
        if (core.Length == 0) return null;
        if (!core.Contains('.', StringComparison.Ordinal)) core += ".0";
        return Version.TryParse(core, out var v) ? v : null;
    }
}
