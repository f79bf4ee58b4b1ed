using System.Globalization;
using CniDashboard.Client.Model;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Components.Web.Virtualization;
using MudBlazor;

namespace CniDashboard.Client.Components.Pages;

/// <summary>
/// The Nodes page: a virtualized grid that asks the backend only for the rows in view, with
/// filters and sort in the URL. Live changes refresh the grid's rows in place.
/// </summary>
public partial class Nodes
{
    /// <summary>
    /// Row height in pixels, which the virtualizer needs to place rows without measuring them all; it must match the
    /// CSS (<c>.node-grid td</c>: 60 px and a 1 px border), which holds every cell to two lines.
    /// </summary>
    public const float RowHeight = 61;

    private readonly Loadable<NodeFacets> _facets = new();
    private readonly Loadable<IReadOnlyDictionary<string, int>> _facetCounts = new();
    private readonly ItemsProviderDelegate<NodeSummary> _rowsProvider;
    private Virtualize<NodeSummary>? _virtualize;
    private NodeFilter _filter = new();
    private string? _searchText;
    private int? _total;
    private string? _rowsError;
    private DateTimeOffset _now;
    private readonly List<string> _selected = [];
    private NodesBeingFixed _fixing = NodesBeingFixed.None;
    private IRemediationService? _remediation;
    private bool _mayOperate;

    /// <summary>Creates the page.</summary>
    public Nodes()
    {
        // One delegate for the page's life: the virtualizer must see the same provider on every render.
        _rowsProvider = LoadRowsAsync;
    }

    /// <summary>The read model.</summary>
    [Inject]
    public required IDashboardQueries Queries { get; init; }

    /// <summary>Navigation, for writing filters to the URL.</summary>
    [Inject]
    public required NavigationManager Navigation { get; init; }

    /// <summary>The services, for remediation when the host offers it (it is an extra here).</summary>
    [Inject]
    public required IServiceProvider Services { get; init; }

    /// <summary>Who is signed in (row checkboxes are for people who may operate).</summary>
    [Inject]
    public required IAuthorizationService Authorization { get; init; }

    /// <summary>The signed-in person.</summary>
    [CascadingParameter]
    public Task<AuthenticationState>? AuthenticationState { get; set; }

    /// <summary>The clock.</summary>
    [Inject]
    public required TimeProvider Clock { get; init; }

    /// <summary>Search text (<c>?q=</c>).</summary>
    [SupplyParameterFromQuery(Name = NodeFilter.Keys.Search)]
    public string? Search { get; set; }

    /// <summary>Severity facet (<c>?severity=critical|warning|info|ok</c>).</summary>
    [SupplyParameterFromQuery(Name = NodeFilter.Keys.Severity)]
    public string? Severity { get; set; }

    /// <summary>Node group (<c>?group=</c>).</summary>
    [SupplyParameterFromQuery(Name = NodeFilter.Keys.NodeGroup)]
    public string? NodeGroup { get; set; }

    /// <summary>Rule id (<c>?rule=</c>).</summary>
    [SupplyParameterFromQuery(Name = NodeFilter.Keys.Rule)]
    public string? Rule { get; set; }

    /// <summary>Agent status (<c>?agent=stale|current</c>).</summary>
    [SupplyParameterFromQuery(Name = NodeFilter.Keys.Agent)]
    public string? Agent { get; set; }

    /// <summary>Sort column (<c>?sort=name|group|severity|errors|changed</c>).</summary>
    [SupplyParameterFromQuery(Name = NodeFilter.Keys.Sort)]
    public string? Sort { get; set; }

    /// <summary>Sort direction (<c>?dir=asc|desc</c>).</summary>
    [SupplyParameterFromQuery(Name = NodeFilter.Keys.Direction)]
    public string? Direction { get; set; }

    /// <summary>The filter the grid shows now.</summary>
    public NodeFilter Filter => _filter;

    private string AgentToken => _filter.Stale switch { true => "stale", false => "current", null => "" };

    private IEnumerable<string> GroupOptions => WithCurrent(_facets.Value?.NodeGroups, _filter.NodeGroup);

    private IEnumerable<string> RuleOptions => WithCurrent(_facets.Value?.Rules, _filter.Rule);

    private static IReadOnlyList<(string? Token, string Label, string Icon, Color Color)> Facets { get; } =
    [
        (null, "All", Icons.Material.Filled.Dns, Color.Primary),
        ("critical", "Critical", Icons.Material.Filled.Error, Color.Error),
        ("warning", "Warning", Icons.Material.Filled.Warning, Color.Warning),
        (NodeFilter.HealthyToken, "OK", Icons.Material.Filled.CheckCircle, Color.Success),
    ];

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        _now = Clock.GetUtcNow();
        _remediation = Services.GetService<IRemediationService>();
        if (_remediation is not null && AuthenticationState is not null)
        {
            var user = (await AuthenticationState).User;
            _mayOperate = (await Authorization.AuthorizeAsync(user, DashboardPolicies.Operate)).Succeeded;
        }

        StartLiveUpdates();
        await Task.WhenAll(LoadFacetsAsync(), LoadFixingAsync());
    }

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        var filter = NodeFilter.FromQuery(Search, Severity, NodeGroup, Rule, Agent, Sort, Direction);
        _searchText = filter.Search;
        if (filter == _filter && _facetCounts.HasValue)
        {
            return;
        }

        if (filter.Rule != _filter.Rule)
        {
            // Ticks choose nodes for a plan of one rule.
            _selected.Clear();
        }

        _filter = filter;
        await RefreshRowsAsync();
        await LoadFacetCountsAsync();
    }

    /// <inheritdoc />
    protected override async Task OnChangesAsync(IReadOnlyList<ClusterChange> batch)
    {
        _now = Clock.GetUtcNow();
        if (ChangeBatch.TouchesNodeRows(batch))
        {
            await RefreshRowsAsync();
            await LoadFacetCountsAsync();
        }

        if (ChangeBatch.TouchesPlans(batch))
        {
            await LoadFixingAsync();
        }

        if (ChangeBatch.TouchesNodeFacets(batch))
        {
            await LoadFacetsAsync();
        }
    }

    private async ValueTask<ItemsProviderResult<NodeSummary>> LoadRowsAsync(ItemsProviderRequest request)
    {
        var filter = _filter;
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(request.CancellationToken, Lifetime);
            var page = await Queries.GetNodesAsync(filter.ToQuery(request.StartIndex, request.Count), linked.Token);
            var changed = _total != page.Total || _rowsError is not null;
            _total = page.Total;
            _rowsError = null;
            if (changed)
            {
                // The count and empty states live outside the virtualizer.
                _ = InvokeAsync(StateHasChanged);
            }

            return new ItemsProviderResult<NodeSummary>(page.Items, page.Total);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            _rowsError = Loadable<NodePage>.Describe("the nodes", ex);
            _ = InvokeAsync(StateHasChanged);
            return new ItemsProviderResult<NodeSummary>([], 0);
        }
    }

    /// <summary>Rows have checkboxes when the grid shows one rule's nodes and the person may plan a fix.</summary>
    private bool Selectable => _filter.Rule is not null && _remediation is not null && _mayOperate;

    private void Select(string node, bool on)
    {
        _selected.Remove(node);
        if (on)
        {
            _selected.Add(node);
        }
    }

    private async Task LoadFixingAsync() => _fixing = await NodesBeingFixed.LoadAsync(_remediation, Lifetime);

    private async Task RefreshRowsAsync()
    {
        if (_virtualize is not null)
        {
            await _virtualize.RefreshDataAsync();
        }
    }

    private Task RetryRowsAsync()
    {
        _rowsError = null;
        return RefreshRowsAsync();
    }

    private Task LoadFacetsAsync() => _facets.LoadAsync(Queries.GetNodeFacetsAsync, "the filter values", Lifetime);

    private Task LoadFacetCountsAsync()
    {
        var filter = _filter;
        return _facetCounts.LoadAsync(
            async ct =>
            {
                var tokens = Facets.Select(f => f.Token).ToList();
                var totals = await Task.WhenAll(tokens.Select(t =>
                    Queries.GetNodesAsync(filter.WithSeverityToken(t).ToQuery(0, 0), ct)));
                var counts = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < tokens.Count; i++)
                {
                    counts[tokens[i] ?? "all"] = totals[i].Total;
                }

                return (IReadOnlyDictionary<string, int>)counts;
            },
            "the severity counts",
            Lifetime);
    }

    private void Navigate(NodeFilter filter) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(filter.ToQueryParameters()));

    private Task OnSearchChangedAsync(string? text)
    {
        _searchText = text;
        Navigate(_filter with { Search = string.IsNullOrWhiteSpace(text) ? null : text.Trim() });
        return Task.CompletedTask;
    }

    private void OnSeverityChangedAsync(string? token) => Navigate(_filter.WithSeverityToken(token));

    private void OnNodeGroupChangedAsync(ChangeEventArgs e) =>
        Navigate(_filter with { NodeGroup = e.Value as string is { Length: > 0 } group ? group : null });

    private void OnRuleChangedAsync(ChangeEventArgs e) =>
        Navigate(_filter with { Rule = e.Value as string is { Length: > 0 } rule ? rule : null });

    private void OnAgentChangedAsync(ChangeEventArgs e) =>
        Navigate(_filter with { Stale = (e.Value as string) switch { "stale" => true, "current" => false, _ => null } });

    private void SortBy(NodeSort column) => Navigate(_filter.SortedBy(column));

    private void ClearFiltersAsync() => Navigate(new NodeFilter { Sort = _filter.Sort, Descending = _filter.Descending });

    private static IEnumerable<string> WithCurrent(IReadOnlyList<string>? options, string? current)
    {
        // A value from a shared link stays selectable even before (or after) the data has it.
        var list = options ?? [];
        return current is not null && !list.Contains(current) ? list.Append(current) : list;
    }

    private static string PrimaryStatusText(PrimaryStatus status) => status switch
    {
        PrimaryStatus.Invalid => "primary does not load",
        PrimaryStatus.NoConfig => "no config",
        PrimaryStatus.Unknown => "content unavailable",
        _ => "loaded",
    };

    private string AriaSort(params NodeSort[] columns) =>
        !columns.Contains(_filter.Sort) ? "none" : _filter.Descending ? "descending" : "ascending";

    private RenderFragment SortButton(string label, NodeSort column) => __builder =>
    {
        var active = _filter.Sort == column;
        __builder.OpenElement(0, "button");
        __builder.AddAttribute(1, "type", "button");
        __builder.AddAttribute(2, "class", active ? "sort-button sort-active" : "sort-button");
        __builder.AddAttribute(3, "data-testid", "sort-" + NodeFilter.SortToken(column));
        __builder.AddAttribute(4, "onclick", EventCallback.Factory.Create(this, () => SortBy(column)));
        __builder.AddContent(5, label);
        __builder.AddContent(6, !active ? "" : _filter.Descending ? " ▼" : " ▲");
        __builder.CloseElement();
    };

    // The pieces are written with exactly one space between them, so the cell's text is the chain as ChainText.Format
    // writes it (what people copy, and what the tests read), while a line can only break after an arrow.
    private static RenderFragment ChainPieces(IReadOnlyList<string> chain) => __builder =>
    {
        var pieces = ChainText.WrapPieces(chain);
        for (var i = 0; i < pieces.Count; i++)
        {
            if (i > 0)
            {
                __builder.AddContent(0, " ");
            }

            __builder.OpenElement(1, "span");
            __builder.AddAttribute(2, "class", "chain-piece");
            __builder.AddContent(3, pieces[i]);
            __builder.CloseElement();
        }
    };

    private static string StuckText(int pods) =>
        pods.ToString("N0", CultureInfo.InvariantCulture) + (pods == 1 ? " pod stuck" : " pods stuck");

    private static string NodeFacts(NodeSummary node) => string.Join(" · ", new[]
    {
        "node group " + (node.NodeGroup ?? "none"),
        node.OsImage,
        node.InstanceType,
        node.KubeletVersion is { } kubelet ? "kubelet " + kubelet : null,
    }.Where(s => s is not null));
}
