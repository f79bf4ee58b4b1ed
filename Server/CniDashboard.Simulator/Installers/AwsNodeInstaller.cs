using CniDashboard.Simulator.Nodes;
using CniDashboard.Simulator.Scenarios;
using Microsoft.Extensions.Logging;

namespace CniDashboard.Simulator.Installers;

/// <summary>
/// aws-node (AWS VPC CNI): its init container copies the <c>aws-cni</c> and <c>egress-cni</c>
/// binaries, and the agent writes <c>10-aws.conflist</c> when the node has none.
/// </summary>
internal sealed partial class AwsNodeInstaller : ICniInstaller
{
    public const string ConfigFileName = "10-aws.conflist";

    private readonly Action<SimulatedNode> _written;
    private readonly ILogger _logger;

    public AwsNodeInstaller(Action<SimulatedNode> written, ILogger logger)
    {
        _written = written;
        _logger = logger;
    }

    public string DaemonSet => CniDaemonSets.AwsNode;

    public void Start(SimulatedNode node, InstallerPod pod)
    {
        var wrote = PluginBinaries.Install(node.BinDir, PluginBinaries.AwsNode, "aws-node");
        if (!File.Exists(Path.Combine(node.CniDir, ConfigFileName)))
        {
            wrote |= NodeFileWriter.Write(node.CniDir, ConfigFileName, ScenarioTemplates.AwsNodeConflist, NodeFileWriter.ConfigMode);
            LogWritten(node.Name, pod.Name);
        }

        if (wrote)
        {
            _written(node);
        }
    }

    public void Resume(SimulatedNode node, InstallerPod pod)
    {
        // aws-node does not watch the CNI folder.
    }

    public void FolderChanged(SimulatedNode node)
    {
        // aws-node does not watch the CNI folder.
    }

    public void Tick(SimulatedNode node, DateTimeOffset now)
    {
        // Nothing periodic touches files.
    }

    public void Stop(SimulatedNode node, InstallerPod pod)
    {
        // aws-node leaves its config on shutdown.
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "aws-node {Pod} wrote 10-aws.conflist on {Node}")]
    private partial void LogWritten(string node, string pod);
}
