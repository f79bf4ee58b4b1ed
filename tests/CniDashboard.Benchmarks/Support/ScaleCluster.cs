using System.Globalization;
using System.Net;
using CniDashboard.Simulator;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniDashboard.Benchmarks.Support;

/// <summary>What the scale runs share: their integer flags and the simulated cluster they start.</summary>
internal static class ScaleCluster
{
    /// <summary>The value after <paramref name="name"/> in <paramref name="args"/>, or <paramref name="fallback"/>.</summary>
    public static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>A simulated cluster of <paramref name="nodes"/> nodes under <paramref name="dataDir"/>, its agents on 127.16.x.x, logging nothing.</summary>
    public static Task<SimulatedCluster> StartAsync(string dataDir, int nodes) =>
        SimulatedCluster.StartAsync(new SimulationOptions
        {
            DataDir = Path.Combine(dataDir, "simulation"),
            NodeCount = nodes,
            AddressBase = IPAddress.Parse("127.16.0.0"),
            LoggerFactory = NullLoggerFactory.Instance,
        });
}
