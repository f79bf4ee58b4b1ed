namespace CniDashboard.Server.Options;

/// <summary>The audit log (<c>Dashboard:Audit</c>).</summary>
public sealed class AuditOptions
{
    /// <summary>Signed checkpoints of the chain's head, kept in the cluster.</summary>
    public AuditCheckpointOptions Checkpoint { get; set; } = new();
}

/// <summary>
/// Where and how often the signed checkpoint is written (<c>Dashboard:Audit:Checkpoint</c>): an
/// annotation on one ConfigMap in the dashboard's namespace, which the chart creates and lets the
/// dashboard get and patch, and nothing else.
/// </summary>
public sealed class AuditCheckpointOptions
{
    /// <summary>The chart's ConfigMap.</summary>
    public const string DefaultConfigMapName = "cni-dashboard-audit-checkpoint";

    /// <summary>The annotation holding the checkpoint's JSON.</summary>
    public const string Annotation = "cni-dashboard.io/audit-checkpoint";

    /// <summary>The key file's name in the data dir when <see cref="KeyFile"/> is not set.</summary>
    public const string DataDirKeyFileName = "audit-checkpoint-key.pem";

    /// <summary>Write checkpoints (turn off only where the dashboard has no cluster to write to).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often a checkpoint is written when the log has grown (also once at start and on shutdown).
    /// Entries appended since the last checkpoint are the ones a deleted tail could lose unnoticed.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The dashboard's namespace, where the ConfigMap is.</summary>
    public string Namespace { get; set; } = "cni-dashboard";

    /// <summary>The ConfigMap whose annotation holds the checkpoint.</summary>
    public string ConfigMapName { get; set; } = DefaultConfigMapName;

    /// <summary>
    /// A PEM file with the ECDSA P-256 private key that signs checkpoints, e.g. mounted from a
    /// Secret (read-only; never written). When empty, the key is <c>{DataDir}/audit-checkpoint-key.pem</c>,
    /// created with mode 0600 on first start.
    /// </summary>
    public string? KeyFile { get; set; }
}
