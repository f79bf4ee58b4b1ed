using CniDashboard.Client.Model;
using CniDashboard.Shared.Fleet;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace CniDashboard.Client.Components;

/// <summary>
/// A page of the fleet (issue 14) that shows one query of the shared store: it loads when it opens
/// and again when its <see cref="LoadKey"/> changes (another cluster in the URL), keeps the error for
/// a retry, and cancels a query still running when the page goes away. The fleet queries are optional:
/// a dashboard without a shared store has none, and the page says so.
/// </summary>
/// <typeparam name="T">What the page shows.</typeparam>
public abstract class FleetPage<T> : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _lifetime = new();
    private string? _loadedKey;

    /// <summary>The services: the fleet queries are optional.</summary>
    [Inject]
    public required IServiceProvider Services { get; init; }

    /// <summary>The clock, for "3 min ago".</summary>
    [Inject]
    public required TimeProvider Clock { get; init; }

    /// <summary>The fleet queries, or null when this dashboard has no shared store.</summary>
    protected IFleetQueries? Fleet { get; private set; }

    /// <summary>The query's state: loading, loaded, or failed with a message.</summary>
    protected Loadable<T> Data { get; } = new();

    /// <summary>Cancelled when the page goes away.</summary>
    protected CancellationToken Lifetime => _lifetime.Token;

    /// <summary>What is loaded, for the error sentence ("the fleet", "cluster prod-eu-1").</summary>
    protected abstract string What { get; }

    /// <summary>What the query depends on from the URL; a change loads again.</summary>
    protected virtual string LoadKey => "";

    /// <summary>The page's query.</summary>
    protected abstract Task<T> QueryAsync(IFleetQueries fleet, CancellationToken cancellationToken);

    /// <inheritdoc />
    protected override Task OnParametersSetAsync()
    {
        Fleet ??= Services.GetService<IFleetQueries>();
        if (_loadedKey == LoadKey) return Task.CompletedTask;
        _loadedKey = LoadKey;
        return LoadAsync();
    }

    /// <summary>Runs the query (again: the retry button).</summary>
    protected async Task LoadAsync()
    {
        if (Fleet is not { } fleet) return;
        try
        {
            await Data.LoadAsync(ct => QueryAsync(fleet, ct), What, Lifetime);
        }
        catch (OperationCanceledException) when (Lifetime.IsCancellationRequested)
        {
            // The page went away while its query ran: nothing to show it on.
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Cancels a query still running; the token source is cancelled, not disposed, as a query unwinding may read its token.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing) _lifetime.Cancel();
    }
}
