using CniDashboard.Shared.Cni;

namespace CniDashboard.Agent.Node;

/// <summary>What one node's agent serves: its folders and limits. One process may run many (a simulated cluster).</summary>
public sealed record NodeAgentOptions
{
    /// <summary>The node's name, as the Kubernetes API knows it.</summary>
    public required string NodeName { get; init; }

    /// <summary>The CNI folder as this process sees it (e.g. <c>/host/etc/cni/net.d</c>).</summary>
    public required string CniDir { get; init; }

    /// <summary>The CNI folder as the host knows it, shown in snapshots (e.g. <c>/etc/cni/net.d</c>).</summary>
    public string HostCniDir { get; init; } = "/etc/cni/net.d";

    /// <summary>The plugin binaries folder (read only); null when the node has none to show.</summary>
    public string? BinDir { get; init; }

    /// <summary>Where backups and the change journal live; never inside <see cref="CniDir"/>.</summary>
    public required string BackupDir { get; init; }

    /// <summary>
    /// Watch <see cref="CniDir"/> (and <see cref="BinDir"/>) with a <see cref="FileSystemWatcher"/>.
    /// Each watcher costs an inotify instance (128 per user by default), so a host serving many
    /// nodes turns this off and calls <see cref="NodeAgent.Invalidate"/> from one watcher of its own.
    /// </summary>
    public bool WatchFolder { get; init; } = true;

    /// <summary>
    /// How often the cached snapshot is dropped even without a watcher event (a missed event, a
    /// changed binary). <see cref="Timeout.InfiniteTimeSpan"/> turns the safety net off.
    /// </summary>
    public TimeSpan RescanInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most unpinned backups kept; the oldest go first.</summary>
    public int MaxBackups { get; init; } = 50;

    /// <summary>
    /// Most backups pinned at once (by plans that may roll back to them). Pinned backups are never
    /// pruned, so this cap, with <see cref="MaxBackups"/>, bounds the backup folder: at most
    /// MaxBackups + MaxPinnedBackups copies, each of one file the agent read (at most
    /// <see cref="CniFolderReadOptions.MaxHashBytes"/>; CNI files are a few KiB).
    /// </summary>
    public int MaxPinnedBackups { get; init; } = 100;

    /// <summary>Unpinned backups older than this are pruned.</summary>
    public TimeSpan MaxBackupAge { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Completed change ids remembered for idempotent retries (persisted in <see cref="BackupDir"/>).</summary>
    public int MaxRememberedChanges { get; init; } = 1000;

    /// <summary>Limits for reading the folder; <see cref="CniFolderReadOptions.MaxContentBytes"/> also caps what apply accepts.</summary>
    public CniFolderReadOptions ReadOptions { get; init; } = new();

    /// <summary>The version reported in snapshots.</summary>
    public string AgentVersion { get; init; } = AgentInfo.Version;

    /// <summary>
    /// How long a request waits for the folder to be read. A read that takes longer (a hung file
    /// system) answers 503 and makes <c>/readyz</c> fail until a snapshot can be built again.
    /// </summary>
    public TimeSpan SnapshotDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Fault-injection seams for crash tests; empty in production.</summary>
    public AtomicWriteHooks WriteHooks { get; init; } = AtomicWriteHooks.None;

    /// <summary>Fault-injection seams for tests of a folder read that hangs; empty in production.</summary>
    public SnapshotReadHooks ReadHooks { get; init; } = SnapshotReadHooks.None;
}

/// <summary>A point inside the snapshot build where a test can make the read hang, as a stuck file system would.</summary>
public sealed record SnapshotReadHooks
{
    /// <summary>No hooks.</summary>
    public static readonly SnapshotReadHooks None = new();

    /// <summary>Runs on the reading thread before the folder is read; may block.</summary>
    public Action<CancellationToken>? BeforeRead { get; init; }
}

/// <summary>
/// Points inside the atomic write where a test can stop the agent (e.g. pause, then kill the
/// process) to prove that a crash there leaves the folder consistent.
/// </summary>
public sealed record AtomicWriteHooks
{
    /// <summary>No hooks.</summary>
    public static readonly AtomicWriteHooks None = new();

    /// <summary>Runs after the temp file is written and flushed, before it is renamed over the target; receives the temp file's path.</summary>
    public Func<string, CancellationToken, Task>? BeforeRename { get; init; }
}
