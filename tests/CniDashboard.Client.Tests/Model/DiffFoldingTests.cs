using CniDashboard.Client.Model;
using CniDashboard.Shared.Diff;

namespace CniDashboard.Client.Tests.Model;

public class DiffFoldingTests
{
    private static DiffRow Same(int n) => new(new DiffLine(n, "x", DiffLineKind.Unchanged, []), new DiffLine(n, "x", DiffLineKind.Unchanged, []));

    private static DiffRow Added(int n) => new(null, new DiffLine(n, "+", DiffLineKind.Inserted, []));

    [Fact]
    public void Long_unchanged_runs_fold_keeping_context_around_changes()
    {
        var rows = Enumerable.Range(1, 20).Select(Same).Append(Added(21)).Concat(Enumerable.Range(22, 20).Select(Same)).ToList();

        var stretches = DiffFolding.Fold(rows, context: 3);

        Assert.Equal([true, false, true], stretches.Select(s => s.Folded));
        Assert.Equal(17, stretches[0].Rows.Count);
        Assert.Equal(7, stretches[1].Rows.Count);
        Assert.Contains(stretches[1].Rows, r => r.Right?.Kind == DiffLineKind.Inserted);
        Assert.Equal(rows.Count, stretches.Sum(s => s.Rows.Count));
    }

    [Fact]
    public void Short_runs_are_not_folded()
    {
        var rows = new[] { Same(1), Added(2), Same(3), Same(4) };

        var stretches = DiffFolding.Fold(rows, context: 3);

        Assert.Single(stretches);
        Assert.False(stretches[0].Folded);
    }
}
