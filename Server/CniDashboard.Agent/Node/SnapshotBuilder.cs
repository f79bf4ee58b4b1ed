using System.Text.Json;
using CniDashboard.Shared.Agent;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Agent.Node;

/// <summary>Reads a node's folders into a <see cref="NodeSnapshot"/>.</summary>
internal sealed class SnapshotBuilder(NodeAgentOptions options, TimeProvider time)
{
    private readonly PluginBinaryCatalog? _binaries = options.BinDir is null ? null : new PluginBinaryCatalog(options.BinDir);

    public CachedSnapshot Build(long version, CancellationToken cancellationToken)
    {
        options.ReadHooks.BeforeRead?.Invoke(cancellationToken);
        var takenAt = time.GetUtcNow();
        var files = CniFolderReader.Read(options.CniDir, options.ReadOptions);
        cancellationToken.ThrowIfCancellationRequested();

        IReadOnlyList<PluginBinary>? binaries = null;
        string? binariesError = null;
        if (_binaries is null)
        {
            binariesError = "no bin folder configured";
        }
        else
        {
            try
            {
                binaries = _binaries.Read(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                binariesError = ex.Message;
            }
        }

        var primary = CniFolder.Read(files).Primary;
        var snapshot = new NodeSnapshot
        {
            NodeName = options.NodeName,
            AgentVersion = options.AgentVersion,
            TakenAt = takenAt,
            CniDir = options.HostCniDir,
            Files = files,
            Binaries = binaries,
            BinariesError = binariesError,
            PrimaryFile = primary.FileName,
            PrimaryStatus = primary.Status,
            Chain = primary.ChainTypes,
            ManifestHash = ManifestHash.Compute(options.NodeName, options.AgentVersion, files, binaries, binariesError),
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(snapshot, AgentJsonContext.Wire.NodeSnapshot);
        return new CachedSnapshot(snapshot, json, version);
    }
}
