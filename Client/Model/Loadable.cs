namespace CniDashboard.Client.Model;

/// <summary>
/// One query's state on a page: loading, loaded, or failed with a message and a retry. A reload
/// keeps the previous value on screen, so a live refresh never blanks what the engineer is reading.
/// </summary>
/// <typeparam name="T">What the query returns.</typeparam>
public sealed class Loadable<T>
{
    /// <summary>The last value loaded, kept while reloading and after a failed reload.</summary>
    public T? Value { get; private set; }

    /// <summary>True once a load has succeeded.</summary>
    public bool HasValue { get; private set; }

    /// <summary>True while a load runs.</summary>
    public bool IsLoading { get; private set; }

    /// <summary>What went wrong in the last load, or null when it succeeded.</summary>
    public string? Error { get; private set; }

    /// <summary>Runs the query; failures become <see cref="Error"/>, never an exception (except cancellation).</summary>
    /// <param name="query">The query.</param>
    /// <param name="what">What is loaded, for the message, e.g. "the overview".</param>
    /// <param name="cancellationToken">Cancels with the page.</param>
    /// <returns>True when the value was loaded.</returns>
    public async Task<bool> LoadAsync(Func<CancellationToken, Task<T>> query, string what, CancellationToken cancellationToken)
    {
        IsLoading = true;
        try
        {
            Value = await query(cancellationToken);
            HasValue = true;
            Error = null;
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            Error = Describe(what, ex);
            return false;
        }
        finally
        {
            IsLoading = false;
        }
    }

    /// <summary>The sentence shown for a failed query.</summary>
    public static string Describe(string what, Exception ex) => $"Could not load {what}: {ex.Message}";
}
