using System.Globalization;
using CniDashboard.Simulator;

namespace CniDashboard.Demo;

/// <summary>
/// The demo's command line: <c>[--demo-nodes N] [--port P] [--data-dir D]</c>, plus
/// <c>--demo-seed S</c>, <c>--demo-time-scale X</c>, <c>--idp-port P</c> (the sign-in provider's
/// port; default any free one), and for the scale run <c>--demo-bench [--demo-hold SECONDS]</c>.
/// A fleet: <c>--clusters N</c> (2–10) simulated clusters, one collector each, on the PostgreSQL named by
/// <c>--demo-postgres CONNECTION-STRING</c> (or the environment variable <c>CNI_DASHBOARD_DEMO_POSTGRES</c>).
/// <c>--demo</c> (the old product flag) is accepted and changes nothing. Everything else is left for the dashboard.
/// </summary>
public sealed record DemoOptions
{
    public const string DemoFlag = "--demo";
    public const string BenchFlag = "--demo-bench";

    /// <summary>Where the demo keeps everything when <c>--data-dir</c> is not given.</summary>
    public const string DefaultDataDir = "./data/demo";

    public const int DefaultPort = 8080;

    /// <summary>The environment variable the fleet demo's PostgreSQL connection string may come from.</summary>
    public const string PostgresVariable = "CNI_DASHBOARD_DEMO_POSTGRES";

    /// <summary>Most simulated clusters one demo runs.</summary>
    public const int MaxClusters = 10;

    /// <summary>Simulated clusters: 1 (default) is the single-cluster demo on SQLite; more need <see cref="Postgres"/>.</summary>
    public int Clusters { get; init; } = 1;

    /// <summary>The shared store of a fleet demo (a PostgreSQL connection string), or null.</summary>
    public string? Postgres { get; init; }

    /// <summary>Simulated nodes.</summary>
    public int Nodes { get; init; } = 12;

    /// <summary>The dashboard's port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>The sign-in provider's port on 127.0.0.1; 0 (default) picks a free one.</summary>
    public int IdentityProviderPort { get; init; }

    /// <summary>The demo's data dir: the simulated nodes, the simulator's state and the dashboard's database.</summary>
    public string DataDir { get; init; } = DefaultDataDir;

    /// <summary>Seed of a new simulated cluster.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Simulated seconds per real second.</summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>Run the simulator's scale run instead of the dashboard.</summary>
    public bool Bench { get; init; }

    /// <summary>How long the scale run keeps the cluster running.</summary>
    public TimeSpan BenchHold { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The arguments that are not the demo's, for the dashboard.</summary>
    public IReadOnlyList<string> DashboardArgs { get; init; } = [];

    /// <summary>Parses the command line; throws <see cref="DemoException"/> with the reason on a bad flag.</summary>
    public static DemoOptions Parse(IReadOnlyList<string> args)
    {
        var options = new DemoOptions();
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var (name, inline) = arg.Contains('=', StringComparison.Ordinal) && arg.StartsWith("--", StringComparison.Ordinal)
                ? (arg[..arg.IndexOf('=', StringComparison.Ordinal)], arg[(arg.IndexOf('=', StringComparison.Ordinal) + 1)..])
                : (arg, null);
            string Value() => inline ?? (i + 1 < args.Count ? args[++i] : throw new DemoException($"{name} needs a value"));
            switch (name)
            {
                case DemoFlag:
                    break;
                case BenchFlag:
                    options = options with { Bench = true };
                    break;
                case "--demo-nodes":
                    options = options with { Nodes = Int(name, Value(), 1, SimulationOptions.MaxNodes) };
                    break;
                case "--port":
                    options = options with { Port = Int(name, Value(), 0, 65535) };
                    break;
                case "--idp-port":
                    options = options with { IdentityProviderPort = Int(name, Value(), 0, 65535) };
                    break;
                case "--data-dir":
                    options = options with { DataDir = Value() };
                    break;
                case "--demo-seed":
                    options = options with { Seed = Int(name, Value(), int.MinValue, int.MaxValue) };
                    break;
                case "--demo-time-scale":
                    var scale = Value();
                    options = double.TryParse(scale, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed is > 0 and <= 1000
                        ? options with { TimeScale = parsed }
                        : throw new DemoException($"{name} must be a number above 0 and at most 1000, not '{scale}'");
                    break;
                case "--clusters":
                    options = options with { Clusters = Int(name, Value(), 1, MaxClusters) };
                    break;
                case "--demo-postgres":
                    options = options with { Postgres = Value() };
                    break;
                case "--demo-hold":
                    options = options with { BenchHold = TimeSpan.FromSeconds(Int(name, Value(), 0, 86_400)) };
                    break;
                default:
                    rest.Add(arg);
                    break;
            }
        }

        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            throw new DemoException("--data-dir must name a folder");
        }

        if (options.Clusters > 1 && string.IsNullOrWhiteSpace(options.Postgres))
        {
            options = options with { Postgres = Environment.GetEnvironmentVariable(PostgresVariable) };
            if (string.IsNullOrWhiteSpace(options.Postgres))
            {
                throw new DemoException(
                    $"--clusters {options.Clusters} runs one collector per cluster on a shared PostgreSQL: pass --demo-postgres 'Host=…;Database=…;Username=…;Password=…' " +
                    $"or set {PostgresVariable} (a throwaway one: source tests/throwaway-postgres.sh && start_throwaway_postgres, then --demo-postgres \"$CNI_DASHBOARD_TEST_POSTGRES\")");
            }
        }

        return options with { DashboardArgs = rest };
    }

    private static int Int(string name, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new DemoException($"{name} must be a whole number from {min} to {max}, not '{text}'");
}

/// <summary>The demo cannot start (a flag the command line got wrong, a data dir it cannot use); the message says why.</summary>
public sealed class DemoException(string message, Exception? inner = null) : Exception(message, inner);
