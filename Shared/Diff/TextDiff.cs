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
