using CniDashboard.Client.Model;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Fleet;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace CniDashboard.Client.Components.Pages;

/// <summary>
/// One node in depth: its folder, the chain with the failing plugin marked, findings, the sandbox
/// errors and the config entry behind them, its history, and a diff against any reference.
/// </summary>
public partial class NodeDetailPage
{
    /// <summary>How many snapshots the history shows.</summary>
    public const int HistoryLimit = 50;

    private static readonly DiffMode[] DiffModes = [DiffMode.Previous, DiffMode.Snapshot, DiffMode.Baseline, DiffMode.OtherNode, DiffMode.Change];

    private readonly Loadable<NodeDetail?> _detail = new();
    private readonly Loadable<SnapshotHistory> _history = new();
    private readonly Loadable<FolderDiff> _diff = new();
    private DiffSelection _selection = new();
    private string? _diffReason;
    private string? _loadedName;
    private string? _otherNodeText;
    private IReadOnlyList<string> _otherNodeOptions = [];
    private DateTimeOffset _now;
    private NodesBeingFixed _fixing = NodesBeingFixed.None;

    /// <summary>The read model.</summary>
    [Inject]
    public required IDashboardQueries Queries { get; init; }

    /// <summary>Navigation, for writing the diff pickers to the URL.</summary>
    [Inject]
    public required NavigationManager Navigation { get; init; }

    /// <summary>The services, for remediation when the host offers it (it is an extra here).</summary>
    [Inject]
    public required IServiceProvider Services { get; init; }

    /// <summary>The clock.</summary>
    [Inject]
    public required TimeProvider Clock { get; init; }

    /// <summary>True when findings may offer "Fix with a plan" (the host has remediation, and the node is of its own cluster).</summary>
    private bool RemediationOffered => !Remote && Services.GetService<Shared.Remediation.IRemediationService>() is not null;

    /// <summary>The node's name, from the route.</summary>
    [Parameter]
    public string Name { get; set; } = "";

    /// <summary>
    /// The cluster, from a <c>/clusters/{id}/nodes/{name}</c> route (issue 14); null on <c>/nodes/{name}</c>,
    /// which is the dashboard's own cluster.
    /// </summary>
    [Parameter]
    public string? Cluster { get; set; }

    /// <summary>The fleet queries (when the dashboard has a shared store).</summary>
    private IFleetQueries? Fleet => Services.GetService<IFleetQueries>();

    /// <summary>True for another cluster's node: read from what its collector stored; no plans made from here.</summary>
    private bool Remote => Cluster is not null && Cluster != Fleet?.LocalCluster;

    /// <summary>The read model of the node's cluster: the live one, or another cluster's from the store; null for a cluster there is none of.</summary>
    private IDashboardQueries? Source => Cluster is null ? Queries : Fleet?.QueriesFor(Cluster);

    /// <summary>The node's page at the address it was opened by (cluster-scoped or not).</summary>
    private string NodeLink => Cluster is null ? Links.Node(Name) : ClusterLinks.Node(Cluster, Name);

    /// <summary>The list of the cluster's nodes.</summary>
    private string NodesLink => Cluster is null ? Links.Nodes : ClusterLinks.Nodes(Cluster);

    /// <inheritdoc />
    protected override string? FeedCluster => Remote ? Cluster : null;

    /// <summary>What the diff compares against (<c>?compare=previous|snapshot|baseline|node|change</c>).</summary>
    [SupplyParameterFromQuery(Name = DiffSelection.Keys.Compare)]
    public string? Compare { get; set; }

    /// <summary>The snapshot id or node name the comparison needs (<c>?with=</c>).</summary>
    [SupplyParameterFromQuery(Name = DiffSelection.Keys.With)]
    public string? With { get; set; }

    /// <summary>Only this file in the diff (<c>?file=</c>).</summary>
    [SupplyParameterFromQuery(Name = DiffSelection.Keys.File)]
    public string? File { get; set; }

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        _now = Clock.GetUtcNow();
        StartLiveUpdates();
        await LoadFixingAsync();
    }

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        var selection = DiffSelection.FromQuery(Compare, With, File);
        _otherNodeText = selection.Mode == DiffMode.OtherNode ? selection.With : _otherNodeText;
        if (selection.Mode == DiffMode.OtherNode && _otherNodeOptions.Count == 0)
        {
            await LoadOtherNodeOptionsAsync();
        }

        // The same name in another cluster is another node.
        if (_loadedName != NodeLink)
        {
            _loadedName = NodeLink;
            _selection = selection;
            await LoadDetailAsync();
            await LoadHistoryAsync();
            await LoadDiffAsync();
            return;
        }

        if (selection != _selection)
        {
            _selection = selection;
            await LoadDiffAsync();
        }
    }

    /// <inheritdoc />
    protected override async Task OnChangesAsync(IReadOnlyList<ClusterChange> batch)
    {
        if (ChangeBatch.TouchesPlans(batch))
        {
            await LoadFixingAsync();
        }

        if (!ChangeBatch.TouchesNode(batch, Name))
        {
            return;
        }

        _now = Clock.GetUtcNow();
        await LoadDetailAsync();
        if (ChangeBatch.TouchesNodeFiles(batch, Name))
        {
            await LoadHistoryAsync();
            await LoadDiffAsync();
        }
    }

    /// <summary>Which plan, if any, has this node in hand ("being fixed by plan X"); nothing when remediation is off.</summary>
    private async Task LoadFixingAsync() =>
        _fixing = Remote ? NodesBeingFixed.None : await NodesBeingFixed.LoadAsync(Services.GetService<Shared.Remediation.IRemediationService>(), Lifetime);

    private Task LoadDetailAsync()
    {
        var name = Name;
        var source = Source;
        return _detail.LoadAsync(ct => source is null ? Task.FromResult<NodeDetail?>(null) : source.GetNodeAsync(name, ct), $"node {name}", Lifetime);
    }

    private Task LoadHistoryAsync()
    {
        var name = Name;
        if (Source is not { } source) return Task.CompletedTask;
        return _history.LoadAsync(ct => source.GetHistoryAsync(name, HistoryLimit, ct), "the node's history", Lifetime);
    }

    private async Task LoadDiffAsync()
    {
        if (_detail.Value is not { } detail)
        {
            _diffReason = null;
            return;
        }

        var (request, reason) = _selection.ToRequest(Name, detail.Summary.NodeGroup, _history.Value?.Snapshots ?? []);
        _diffReason = reason;
        if (request is null || Source is not { } source)
        {
            return;
        }

        await _diff.LoadAsync(ct => source.GetDiffAsync(request, ct), "the comparison", Lifetime);
    }

    private string SelectionLink(DiffSelection selection) =>
        Links.WithQuery(NodeLink, selection.ToQueryParameters()) + "#diff";

    private void NavigateTo(DiffSelection selection) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(selection.ToQueryParameters()));

    private async Task OnDiffModeChanged(ChangeEventArgs e)
    {
        var mode = DiffSelection.FromQuery(e.Value as string, null, null).Mode;
        if (mode == DiffMode.OtherNode)
        {
            await LoadOtherNodeOptionsAsync();
        }

        NavigateTo(_selection with { Mode = mode, With = null });
    }

    private void OnDiffWithChanged(ChangeEventArgs e) =>
        NavigateTo(_selection with { With = e.Value as string is { Length: > 0 } with ? with : null });

    private void OnDiffFileChanged(ChangeEventArgs e) =>
        NavigateTo(_selection with { File = e.Value as string is { Length: > 0 } file ? file : null });

    private void OnOtherNodeChanged(ChangeEventArgs e)
    {
        _otherNodeText = (e.Value as string)?.Trim();
        NavigateTo(_selection with { Mode = DiffMode.OtherNode, With = string.IsNullOrEmpty(_otherNodeText) ? null : _otherNodeText });
    }

    private async Task LoadOtherNodeOptionsAsync()
    {
        try
        {
            if (Source is not { } source) return;
            var page = await source.GetNodesAsync(new NodeQuery { Sort = NodeSort.Name, Descending = false, Limit = 200 }, Lifetime);
            _otherNodeOptions = page.Items.Select(n => n.Name).Where(n => n != Name).ToList();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The picker still takes a typed name; suggestions are a convenience.
            _otherNodeOptions = [];
        }
    }

    private static string FileIcon(FileStanding standing) => standing switch
    {
        FileStanding.Primary => Icons.Material.Filled.Star,
        FileStanding.Invalid => Icons.Material.Filled.ErrorOutline,
        FileStanding.Shadowed => Icons.Material.Outlined.Description,
        _ => Icons.Material.Outlined.VisibilityOff,
    };

    private static Color FileColor(FileStanding standing) => standing switch
    {
        FileStanding.Primary => Color.Primary,
        FileStanding.Invalid => Color.Error,
        _ => Color.Default,
    };

    private RenderFragment LinkedEntry(NodeDetail detail, SandboxErrorView error) => __builder =>
    {
        if (error.LinkedEntry is not { } link)
        {
            __builder.AddContent(0, "not linked to a config entry");
            return;
        }

        var entry = detail.Chain.FirstOrDefault(c => c.File == link.File && c.JsonPointer == link.JsonPointer)
            ?? detail.Chain.FirstOrDefault(c => link.JsonPointer is null && c.Type == link.PluginType);
        var label = $"{link.PluginType ?? "plugin"} {link.JsonPointer} in {link.File}";

        // Entry and finding on lines of their own: each link stays whole in a narrow column.
        __builder.OpenElement(11, "div");
        if (entry is not null)
        {
            __builder.OpenElement(1, "a");
            __builder.AddAttribute(2, "href", NodeLink + "#" + Links.ChainAnchor(entry.Index));
            __builder.AddAttribute(3, "data-testid", "error-chain-link");
            __builder.AddContent(4, label);
            __builder.CloseElement();
        }
        else
        {
            __builder.AddContent(5, label);
        }

        __builder.CloseElement();
        if (link.Rule is not null)
        {
            __builder.OpenElement(12, "div");
            __builder.OpenElement(7, "a");
            __builder.AddAttribute(8, "href", NodeLink + "#" + Links.FindingAnchor(link.Rule));
            __builder.AddAttribute(9, "data-testid", "error-finding-link");
            __builder.AddContent(10, "finding " + link.Rule);
            __builder.CloseElement();
            __builder.CloseElement();
        }
    };
}
