using System.Text.Json;
using System.Text.Json.Serialization;
using CniDashboard.Simulator.Nodes;

namespace CniDashboard.Simulator.Scenarios;

/// <summary>
/// What the API server must remember across a simulator restart, saved to
/// <c>{dataDir}/simulator/state.json</c>: the token signing key (so tokens on disk stay valid),
/// node uids, the DaemonSets with every pod template their pods still run, and each DaemonSet pod's
/// name, uid and state — so a healthy node's linkerd-cni token is still bound to a live pod, and an
/// incident node's is still bound to a deleted one — and the ConfigMaps (Cilium's configuration).
/// Workload pods and events are not kept.
/// </summary>
internal sealed record SimulatorState
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    public int Seed { get; init; }

    public SimulationScenario Scenario { get; init; }

    /// <summary>Base64 of the token authority's HMAC key.</summary>
    public string TokenSigningKey { get; init; } = "";

    public int AgentPort { get; init; }

    /// <summary>How many times this cluster has started; varies the API server's name seed so a resumed run never reuses a uid.</summary>
    public int Runs { get; init; }

    public DateTimeOffset SavedAt { get; init; }

    public List<NodeRecord> Nodes { get; init; } = [];

    public List<DaemonSetRecord> DaemonSets { get; init; } = [];

    public List<PodRecord> Pods { get; init; } = [];

    /// <summary>Every ConfigMap; empty in a state saved before the emulator served them (the default is seeded then).</summary>
    public List<ConfigMapRecord> ConfigMaps { get; init; } = [];
}

/// <summary>A node: its index (which decides its name and address with the seed), uid and scenario role.</summary>
internal sealed record NodeRecord(int Index, string Name, string Uid, NodeRole Role, DateTime CreatedAt);

/// <summary>
/// A DaemonSet's spec, the templates (by revision hash) its pods may still run, and its annotations
/// (kured's lock lives there; null in a state saved before they were kept).
/// </summary>
internal sealed record DaemonSetRecord(string Namespace, string Name, JsonElement Spec, long Generation, Dictionary<string, JsonElement> Templates)
{
    public Dictionary<string, string>? Annotations { get; init; }
}

/// <summary>A ConfigMap as stored (uid and creation time included), so an edit to it survives a restart.</summary>
internal sealed record ConfigMapRecord(string Namespace, string Name, JsonElement ConfigMap);

/// <summary>One DaemonSet pod, enough to re-create it exactly (template from its DaemonSet's record by revision hash).</summary>
internal sealed record PodRecord(
    string Namespace,
    string Name,
    string Uid,
    string Node,
    string DaemonSet,
    string RevisionHash,
    string? TemplateGeneration,
    DateTime CreatedAt,
    bool Running,
    bool Ready,
    DateTime? StartedAt,
    string? PodIp);

/// <summary>Reads and writes <see cref="SimulatorState"/> (atomically: temp file, then rename).</summary>
internal static class SimulatorStateFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The saved state, or null when there is none. Throws <see cref="InvalidDataException"/> for a file it cannot use.</summary>
    public static SimulatorState? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        SimulatorState? state;
        try
        {
            state = JsonSerializer.Deserialize<SimulatorState>(File.ReadAllBytes(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a simulator state file ({e.Message}); move it away to start a new simulated cluster.", e);
        }

        if (state is null || state.Version != SimulatorState.CurrentVersion || state.TokenSigningKey.Length == 0)
        {
            throw new InvalidDataException($"{path} has an unsupported format (version {state?.Version}); move it away to start a new simulated cluster.");
        }

        return state;
    }

    public static void Save(string path, SimulatorState state)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // It holds the key that signs every simulated token.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, state, Json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
