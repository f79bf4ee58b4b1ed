using System.Text.Json.Nodes;
using CniDashboard.Shared.Cni;
using CniDashboard.Simulator.Nodes;
using CniDashboard.Simulator.Scenarios;
using Microsoft.Extensions.Logging;

namespace CniDashboard.Simulator.Installers;

/// <summary>
/// The Cilium agent in <c>aws-cni</c> chaining mode: on start it copies the network named
/// <c>aws-cni</c> (from <c>10-aws.conflist</c>), appends its <c>cilium-cni</c> entry and writes
/// <c>05-cilium.conflist</c> atomically. With <c>cni-exclusive</c> (read from its ConfigMap when the
/// pod starts, as the agent reads its configuration once) it renames every other config to
/// <c>*.cilium_bak</c>, and keeps doing so while it runs. It leaves its file on shutdown
/// (<c>cni.uninstall=false</c>, the chart's default).
/// </summary>
internal sealed partial class CiliumInstaller : ICniInstaller
{
    public const string ConfigFileName = "05-cilium.conflist";
    public const string ChainedNetwork = "aws-cni";
    public const string PluginType = "cilium-cni";
    public const string BackupSuffix = ".cilium_bak";

    private readonly Func<bool> _exclusive;
    private readonly Action<SimulatedNode> _written;
    private readonly ILogger _logger;

    /// <summary>Nodes whose Cilium pod runs, with the exclusive mode that pod started with.</summary>
    private readonly Dictionary<string, bool> _running = new(StringComparer.Ordinal);

    /// <param name="exclusive">Reads <c>cni-exclusive</c> from Cilium's configuration now.</param>
    /// <param name="written">Told when the installer changed a node's files.</param>
    /// <param name="logger">For what it wrote.</param>
    public CiliumInstaller(Func<bool> exclusive, Action<SimulatedNode> written, ILogger logger)
    {
        _exclusive = exclusive;
        _written = written;
        _logger = logger;
    }

    public string DaemonSet => CniDaemonSets.Cilium;

    /// <summary>The entry Cilium appends in aws-cni chaining mode.</summary>
    public static JsonObject PluginObject() => new()
    {
        ["type"] = PluginType,
        ["chaining-mode"] = ChainedNetwork,
        ["enable-debug"] = false,
        ["log-file"] = "/var/run/cilium/cilium-cni.log",
    };

    public void Start(SimulatedNode node, InstallerPod pod)
    {
        var exclusive = _exclusive();
        _running[node.Name] = exclusive;
        var wrote = PluginBinaries.Install(node.BinDir, [PluginBinaries.Cilium], "cilium");
        if (ChainedSource(node) is { } source)
        {
            var plugins = ConflistJson.Plugins(source)!;
            ConflistJson.RemovePlugins(plugins, PluginType);
            plugins.Add(PluginObject());
            wrote |= NodeFileWriter.Write(node.CniDir, ConfigFileName, ConflistJson.Format(source), NodeFileWriter.ConfigMode);
            LogWritten(node.Name, pod.Name);
        }
        else
        {
            LogNoSource(node.Name, pod.Name);
        }

        wrote |= exclusive && RenameForeignConfigs(node);
        if (wrote)
        {
            _written(node);
        }
    }

    public void Resume(SimulatedNode node, InstallerPod pod) => _running[node.Name] = _exclusive();

    public void FolderChanged(SimulatedNode node)
    {
        if (_running.GetValueOrDefault(node.Name) && RenameForeignConfigs(node))
        {
            _written(node);
        }
    }

    public void Tick(SimulatedNode node, DateTimeOffset now)
    {
        // Cilium's CNI config does not age.
    }

    public void Stop(SimulatedNode node, InstallerPod pod) => _running.Remove(node.Name);

    /// <summary>The first config (byte order, other than Cilium's own) holding the network to chain onto.</summary>
    private static JsonObject? ChainedSource(SimulatedNode node)
    {
        foreach (var name in Directory.EnumerateFiles(node.CniDir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal))
        {
            if (name == ConfigFileName || CniFileNames.RoleOf(name) != CniFileRole.ConfigList)
            {
                continue;
            }

            if (ConflistJson.ParseObject(File.ReadAllBytes(Path.Combine(node.CniDir, name))) is { } document
                && ConflistJson.NameOf(document) == ChainedNetwork
                && ConflistJson.Plugins(document) is not null)
            {
                return document;
            }
        }

        return null;
    }

    private bool RenameForeignConfigs(SimulatedNode node)
    {
        var renamed = false;
        foreach (var path in Directory.EnumerateFiles(node.CniDir))
        {
            var name = Path.GetFileName(path);
            if (name == ConfigFileName || !CniFileNames.IsCandidate(name) || name.StartsWith('.'))
            {
                continue;
            }

            File.Move(path, path + BackupSuffix, overwrite: true);
            LogRenamed(node.Name, name);
            renamed = true;
        }

        return renamed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "cilium {Pod} wrote 05-cilium.conflist (aws-cni chaining) on {Node}")]
    private partial void LogWritten(string node, string pod);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cilium {Pod} on {Node}: no conflist holds the aws-cni network; 05-cilium.conflist not written")]
    private partial void LogNoSource(string node, string pod);

    [LoggerMessage(Level = LogLevel.Information, Message = "cilium on {Node} (cni-exclusive): renamed {File} to {File}.cilium_bak")]
    private partial void LogRenamed(string node, string file);
}
