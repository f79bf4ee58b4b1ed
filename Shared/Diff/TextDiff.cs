using DiffPlex;
using DiffPlex.Chunkers;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using PlexPiece = DiffPlex.DiffBuilder.Model.DiffPiece;

namespace CniDashboard.Shared.Diff;

/// <summary>Line diffs of two file texts for side-by-side display, with word-level highlights inside changed lines.</summary>
public static class TextDiff
{
    private static readonly Differ Differ = new();

    /// <summary>
    /// Diffs two texts line by line (a null text is an absent file: every line of the other side is
    /// added or removed). Line breaks of any style split lines; whitespace and case count.
    /// </summary>
    public static SideBySideDiff SideBySide(string? left, string? right)
    {
        var leftLines = SplitLines(left);
        var rightLines = SplitLines(right);
        if (leftLines.Length + rightLines.Length > MaxAlignedLines) return Unaligned(leftLines, rightLines);

        var model = SideBySideDiffBuilder.Diff(Differ, left ?? "", right ?? "", ignoreWhiteSpace: false, ignoreCase: false,
            LineChunker.Instance, WordChunker.Instance);

        var rows = new List<DiffRow>(Math.Max(model.OldText.Lines.Count, model.NewText.Lines.Count));
        var count = Math.Max(model.OldText.Lines.Count, model.NewText.Lines.Count);
        for (var i = 0; i < count; i++)
        {
            var l = i < model.OldText.Lines.Count ? ToLine(model.OldText.Lines[i]) : null;
            var r = i < model.NewText.Lines.Count ? ToLine(model.NewText.Lines[i]) : null;
            if (l is null && r is null) continue;
            rows.Add(new DiffRow(l, r));
        }

        // An absent file has no lines at all, not one empty line.
        if (left is null or "" && right is null or "") rows.Clear();
        return new SideBySideDiff { Rows = rows };
    }

    /// <summary>
    /// Above this many lines (both sides together) texts are not aligned: the diff's cost grows with
    /// lines × differences, and no CNI file is anywhere near this long. Such texts are shown whole.
    /// </summary>
    public const int MaxAlignedLines = 20_000;

    private static string[] SplitLines(string? text) =>
        string.IsNullOrEmpty(text) ? [] : text.Split(["\r\n", "\r", "\n"], StringSplitOptions.None);

    /// <summary>Equal texts as unchanged rows; otherwise every left line removed and every right line added.</summary>
    private static SideBySideDiff Unaligned(string[] left, string[] right)
    {
        if (left.AsSpan().SequenceEqual(right))
        {
            return new SideBySideDiff
            {
                Rows = left.Select((line, i) => new DiffRow(new DiffLine(i + 1, line, DiffLineKind.Unchanged, []), new DiffLine(i + 1, line, DiffLineKind.Unchanged, []))).ToArray(),
            };
        }
        var rows = new List<DiffRow>(left.Length + right.Length);
        rows.AddRange(left.Select((line, i) => new DiffRow(new DiffLine(i + 1, line, DiffLineKind.Deleted, []), null)));
        rows.AddRange(right.Select((line, i) => new DiffRow(null, new DiffLine(i + 1, line, DiffLineKind.Inserted, []))));
        return new SideBySideDiff { Rows = rows };
    }

    private static DiffLine? ToLine(PlexPiece piece)
    {
        if (piece.Type == ChangeType.Imaginary || piece.Position is null) return null;
        var kind = piece.Type switch
        {
            ChangeType.Inserted => DiffLineKind.Inserted,
            ChangeType.Deleted => DiffLineKind.Deleted,
            ChangeType.Modified => DiffLineKind.Modified,
            _ => DiffLineKind.Unchanged,
        };
        var text = piece.Text ?? "";
        return new DiffLine(piece.Position.Value, text, kind, kind == DiffLineKind.Modified ? Pieces(piece.SubPieces) : []);
    }

    /// <summary>Words of a modified line, runs of equal state merged so the UI draws few spans.</summary>
    private static IReadOnlyList<DiffPiece> Pieces(List<PlexPiece> subPieces)
    {
        var result = new List<DiffPiece>();
        var run = new System.Text.StringBuilder();
        bool? runChanged = null;
        foreach (var sub in subPieces)
        {
            if (sub.Type == ChangeType.Imaginary || string.IsNullOrEmpty(sub.Text)) continue;
            var changed = sub.Type != ChangeType.Unchanged;
            if (runChanged is { } current && current != changed)
            {
                result.Add(new DiffPiece(run.ToString(), current));
                run.Clear();
            }
            runChanged = changed;
            run.Append(sub.Text);
        }
        if (runChanged is { } last) result.Add(new DiffPiece(run.ToString(), last));
        return result;
    }
}
