using CniDashboard.Shared.Diff;

namespace CniDashboard.Client.Model;

/// <summary>A stretch of a side-by-side diff: rows to show, or a run of unchanged rows folded away.</summary>
/// <param name="Rows">The rows of the stretch.</param>
/// <param name="Folded">True for a folded run of unchanged rows.</param>
public sealed record DiffStretch(IReadOnlyList<DiffRow> Rows, bool Folded);

/// <summary>Folds long unchanged runs so the changes of a long conflist fit on a screen.</summary>
public static class DiffFolding
{
    /// <summary>True when neither side of the row changed.</summary>
    public static bool IsUnchanged(DiffRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Left?.Kind is null or DiffLineKind.Unchanged && row.Right?.Kind is null or DiffLineKind.Unchanged
            && row.Left is not null && row.Right is not null;
    }

    /// <summary>
    /// Splits rows into stretches, keeping <paramref name="context"/> unchanged rows around every
    /// change and folding longer unchanged runs (only runs longer than 2 × context + 1 fold).
    /// </summary>
    public static IReadOnlyList<DiffStretch> Fold(IReadOnlyList<DiffRow> rows, int context = 3)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var result = new List<DiffStretch>();
        var shown = new List<DiffRow>();
        var i = 0;
        while (i < rows.Count)
        {
            if (!IsUnchanged(rows[i]))
            {
                shown.Add(rows[i++]);
                continue;
            }

            var start = i;
            while (i < rows.Count && IsUnchanged(rows[i]))
            {
                i++;
            }

            var runLength = i - start;
            var keepBefore = start == 0 ? 0 : context;
            var keepAfter = i == rows.Count ? 0 : context;
            if (runLength <= keepBefore + keepAfter + 1)
            {
                shown.AddRange(rows.Skip(start).Take(runLength));
                continue;
            }

            shown.AddRange(rows.Skip(start).Take(keepBefore));
            if (shown.Count > 0)
            {
                result.Add(new DiffStretch(shown, Folded: false));
                shown = [];
            }

            result.Add(new DiffStretch(rows.Skip(start + keepBefore).Take(runLength - keepBefore - keepAfter).ToList(), Folded: true));
            shown.AddRange(rows.Skip(i - keepAfter).Take(keepAfter));
        }

        if (shown.Count > 0)
        {
            result.Add(new DiffStretch(shown, Folded: false));
        }

        return result;
    }
}
