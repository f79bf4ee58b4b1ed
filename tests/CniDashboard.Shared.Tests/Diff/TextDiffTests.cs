using CniDashboard.Shared.Diff;

namespace CniDashboard.Shared.Tests.Diff;

public class TextDiffTests
{
    [Fact]
    public void Equal_texts_are_identical_rows()
    {
        var text = Fixture.Text("nodes/healthy/05-cilium.conflist");

        var diff = TextDiff.SideBySide(text, text);

        Assert.True(diff.Identical);
        Assert.Equal(text.Split('\n').Length, diff.Rows.Count);
        Assert.Equal(0, diff.Added);
        Assert.Equal(0, diff.Removed);
        Assert.All(diff.Rows, r => Assert.Equal(r.Left!.Number, r.Right!.Number));
    }

    [Fact]
    public void Modified_line_has_word_pieces()
    {
        var diff = TextDiff.SideBySide("a\n\"iptables-mode\": \"legacy\",\nc", "a\n\"iptables-mode\": \"nft\",\nc");

        Assert.False(diff.Identical);
        var row = diff.Rows[1];
        Assert.Equal(DiffLineKind.Modified, row.Left!.Kind);
        Assert.Equal(DiffLineKind.Modified, row.Right!.Kind);
        Assert.Equal(2, row.Left.Number);
        Assert.Equal(string.Concat(row.Right.Pieces.Select(p => p.Text)), row.Right.Text);
        Assert.Contains(row.Right.Pieces, p => p.Changed && p.Text.Contains("nft", StringComparison.Ordinal));
        Assert.Contains(row.Right.Pieces, p => !p.Changed && p.Text.Contains("iptables-mode", StringComparison.Ordinal));
        Assert.Contains(row.Left.Pieces, p => p.Changed && p.Text.Contains("legacy", StringComparison.Ordinal));
        Assert.Empty(diff.Rows[0].Left!.Pieces);
        Assert.Equal(1, diff.Added);
        Assert.Equal(1, diff.Removed);
    }

    [Fact]
    public void Removed_plugin_lines_are_deleted_with_padding_on_the_right()
    {
        var left = Fixture.Text("nodes/incident/10-aws.conflist");
        var config = Shared.Cni.CniConfigParser.Load("10-aws.conflist", left).Config!;
        var linkerd = config.Plugins[3];
        var prev = config.Plugins[2];
        var right = left[..prev.Span.End] + left[linkerd.Span.End..];

        var diff = TextDiff.SideBySide(left, right);

        var deleted = diff.Rows.Where(r => r.Left?.Kind == DiffLineKind.Deleted).ToArray();
        Assert.True(deleted.Length >= 20);
        Assert.All(deleted, r => Assert.Null(r.Right));
        Assert.Equal(0, diff.Added);
        Assert.Contains(deleted, r => r.Left!.Text.Contains("\"type\": \"linkerd-cni\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Absent_side_makes_every_line_inserted()
    {
        var diff = TextDiff.SideBySide(null, "a\nb");

        Assert.Equal(2, diff.Rows.Count);
        Assert.All(diff.Rows, r =>
        {
            Assert.Null(r.Left);
            Assert.Equal(DiffLineKind.Inserted, r.Right!.Kind);
        });
        Assert.Equal([1, 2], diff.Rows.Select(r => r.Right!.Number));
    }

    [Fact]
    public void Both_absent_is_empty_and_identical()
    {
        var diff = TextDiff.SideBySide(null, null);
        Assert.Empty(diff.Rows);
        Assert.True(diff.Identical);
    }

    [Fact]
    public void Crlf_and_lf_lines_compare_by_content()
    {
        var diff = TextDiff.SideBySide("a\r\nb\r\n", "a\nb\n");
        Assert.True(diff.Identical);
    }
}
