using CniDashboard.Server.Store;
using Npgsql;

namespace CniDashboard.Server.Options;

/// <summary>Checks <c>Dashboard:Store</c> at start; messages name the setting, never the password.</summary>
internal static class StoreOptionsValidation
{
    /// <summary>Adds what is wrong with <paramref name="store"/> to <paramref name="errors"/>.</summary>
    public static void Validate(StoreOptions store, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(errors);
        switch (store.Provider)
        {
            case StoreProvider.Sqlite:
                if (!string.IsNullOrWhiteSpace(store.ConnectionString))
                    errors.Add("Dashboard:Store:ConnectionString is set but Dashboard:Store:Provider is sqlite; set the provider to postgres to use it, or remove it.");
                break;
            case StoreProvider.Postgres:
                ValidatePostgres(store.ConnectionString, errors);
                break;
            default:
                errors.Add($"Dashboard:Store:Provider '{store.Provider}' is not supported: use sqlite or postgres.");
                break;
        }
    }

    private static void ValidatePostgres(string? connectionString, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            errors.Add("Dashboard:Store:ConnectionString is required with Dashboard:Store:Provider postgres (e.g. Host=db;Port=5432;Database=cni_dashboard;Username=cni_dashboard;Password=…, from a Secret).");
            return;
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // The parser's messages name the keyword at fault, not its value; keep only the first line.
            errors.Add($"Dashboard:Store:ConnectionString is not a valid PostgreSQL connection string: {FirstLine(e.Message)}");
            return;
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
            errors.Add("Dashboard:Store:ConnectionString names no Host.");
        if (string.IsNullOrWhiteSpace(builder.Database))
            errors.Add("Dashboard:Store:ConnectionString names no Database.");
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
