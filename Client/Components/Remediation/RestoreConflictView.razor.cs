using CniDashboard.Client.Model;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Diff;
using CniDashboard.Shared.Remediation;
using Microsoft.AspNetCore.Components;

namespace CniDashboard.Client.Components.Remediation;

/// <summary>
/// A restore refused because its file changed since the plan wrote it: the file as the node's latest
/// snapshot holds it, side by side with the bytes the restore writes, and the hashes — what an
/// operator reviews before "Restore anyway".
/// </summary>
public partial class RestoreConflictView : IDisposable
{
    private readonly Loadable<NodeDetail?> _current = new();
    private readonly CancellationTokenSource _lifetime = new();
    private StepFailure? _loadedFor;
    private (string Now, SideBySideDiff Diff)? _diff;

    /// <summary>The dashboard's queries (the node's latest snapshot).</summary>
    [Inject]
    public required IDashboardQueries Queries { get; init; }

    /// <summary>The node.</summary>
    [Parameter, EditorRequired]
    public string Node { get; set; } = "";

    /// <summary>The restore's failure (<see cref="StepFailureKind.FileChanged"/>, with the file's hash now).</summary>
    [Parameter, EditorRequired]
    public StepFailure Failure { get; set; } = null!;

    /// <summary>The reviewed edit of the file: its old content is what the restore writes back.</summary>
    [Parameter]
    public PlannedEdit? Edit { get; set; }

    /// <summary>The hash the plan wrote to the file.</summary>
    [Parameter]
    public string? Written { get; set; }

    private CniFolderFile? CurrentFile => _current.Value?.Files.FirstOrDefault(f => f.File.Name == Failure.File)?.File;

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        if (!ReferenceEquals(_loadedFor, Failure))
        {
            _loadedFor = Failure;
            await LoadAsync();
        }
    }

    private Task LoadAsync() => _current.LoadAsync(ct => Queries.GetNodeAsync(Node, ct), $"node {Node}", _lifetime.Token);

    private SideBySideDiff Diff(string now)
    {
        if (_diff is not { } cached || cached.Now != now)
        {
            _diff = cached = (now, TextDiff.SideBySide(now, Edit?.OldContent));
        }

        return cached.Diff;
    }

    private static string Short(string? sha) => sha is null ? "(absent)" : sha.Length > 12 ? sha[..12] : sha;

    /// <inheritdoc />
    public void Dispose()
    {
        _lifetime.Cancel();
        _lifetime.Dispose();
        GC.SuppressFinalize(this);
    }
}
