using CniDashboard.Server.Store;
using CniDashboard.Shared.Fleet;

namespace CniDashboard.Server.Options;

/// <summary>Checks <c>Dashboard:Cluster</c> and <c>Dashboard:Mode</c> at start.</summary>
internal static class FleetOptionsValidation
{
    /// <summary>Adds what is wrong to <paramref name="errors"/>.</summary>
    public static void Validate(DashboardOptions options, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (ClusterId.Problem(options.Cluster.Id, "Dashboard:Cluster:Id") is { } problem) errors.Add(problem);
        if (!Enum.IsDefined(options.Mode))
        {
            errors.Add($"Dashboard:Mode '{options.Mode}' is not supported: use dashboard or collector.");
        }
        else if (options.Mode == DashboardMode.Collector && options.Store.Provider != StoreProvider.Postgres)
        {
            // A collector's rows are for a dashboard elsewhere to show; a SQLite file is this process's alone.
            errors.Add("Dashboard:Mode collector writes into a store that a dashboard elsewhere reads: it needs Dashboard:Store:Provider postgres " +
                "(and Dashboard:Store:ConnectionString), not a SQLite file only this process can open.");
        }
    }
}
