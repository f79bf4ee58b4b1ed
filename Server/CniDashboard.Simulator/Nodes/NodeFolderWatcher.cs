using Microsoft.Extensions.Logging;

namespace CniDashboard.Simulator.Nodes;

/// <summary>
/// ONE recursive <see cref="FileSystemWatcher"/> over <c>{dataDir}/nodes</c> (one inotify instance
/// for any number of nodes): a change in a node's <c>etc/cni/net.d</c> or <c>opt/cni/bin</c> — by a
/// simulated installer, a test, or a person with an editor — reaches that node's agent and kubelet
/// within milliseconds. Lost events (a buffer overflow) mean everything is treated as changed.
/// </summary>
internal sealed partial class NodeFolderWatcher : IDisposable
{
    private static readonly string[] CniPath = ["etc", "cni", "net.d"];
    private static readonly string[] BinPath = ["opt", "cni", "bin"];

    private readonly string _nodesDir;
    private readonly Action<string> _changed;
    private readonly Action _everythingChanged;
    private readonly ILogger _logger;
    private readonly FileSystemWatcher _watcher;

    public NodeFolderWatcher(string nodesDir, Action<string> changed, Action everythingChanged, ILogger logger)
    {
        _nodesDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(nodesDir));
        _changed = changed;
        _everythingChanged = everythingChanged;
        _logger = logger;
        _watcher = new FileSystemWatcher(_nodesDir)
        {
            IncludeSubdirectories = true,
            InternalBufferSize = 256 * 1024,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite
                | NotifyFilters.Size | NotifyFilters.Attributes | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, e) => OnChange(e.FullPath);
        _watcher.Created += (_, e) => OnChange(e.FullPath);
        _watcher.Deleted += (_, e) => OnChange(e.FullPath);
        _watcher.Renamed += (_, e) =>
        {
            OnChange(e.OldFullPath);
            OnChange(e.FullPath);
        };
        _watcher.Error += (_, e) =>
        {
            LogWatcherError(e.GetException().Message);
            _everythingChanged();
        };
        _watcher.EnableRaisingEvents = true;
    }

    public void Dispose() => _watcher.Dispose();

    private void OnChange(string fullPath)
    {
        if (NodeOf(fullPath) is { } node)
        {
            _changed(node);
        }
    }

    /// <summary>The node whose CNI or bin folder holds <paramref name="fullPath"/>, or null (backups, other files).</summary>
    private string? NodeOf(string fullPath)
    {
        if (!fullPath.StartsWith(_nodesDir + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = fullPath[(_nodesDir.Length + 1)..].Split(Path.DirectorySeparatorChar);
        if (parts.Length < 4)
        {
            // The node folder itself or one of the folders above net.d/bin appearing or going.
            return parts.Length > 1 ? parts[0] : null;
        }

        var middle = parts.AsSpan(1, 3);
        return middle.SequenceEqual(CniPath) || middle.SequenceEqual(BinPath) ? parts[0] : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The node folder watcher lost events ({Reason}); every node is treated as changed")]
    private partial void LogWatcherError(string reason);
}
