using CniDashboard.Server.Auth;

namespace CniDashboard.Server.Options;

/// <summary>Settings of the dashboard host, bound from the <c>Dashboard</c> configuration section.</summary>
public sealed class DashboardOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Dashboard";

    /// <summary>The cluster's display name in the status bar.</summary>
    public string ClusterName { get; set; } = "cluster";

    /// <summary>Folder holding the SQLite file (<c>/data</c> in the container) and the audit checkpoint key.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>Which engine keeps history: SQLite in <see cref="DataDir"/> (default) or PostgreSQL.</summary>
    public StoreOptions Store { get; set; } = new();

    /// <summary>Which cluster this process collects, in a fleet (<c>Dashboard:Cluster:Id</c>).</summary>
    public ClusterOptions Cluster { get; set; } = new();

    /// <summary><c>dashboard</c> (default: collect and serve the UI) or <c>collector</c> (collect only; PostgreSQL store).</summary>
    public DashboardMode Mode { get; set; } = DashboardMode.Dashboard;

    /// <summary>
    /// Address Kestrel listens on: loopback by default. Any other address needs a sign-in mode
    /// (<c>Dashboard:Auth:Mode</c> oidc or proxy); with none the dashboard refuses to start.
    /// </summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>Port Kestrel listens on; 0 picks a free one.</summary>
    public int Port { get; set; } = 8080;

    /// <summary>Sign-in modes, roles, trusted proxies.</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary>A second listener serving only <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> (probes and scrapes).</summary>
    public ManagementOptions Management { get; set; } = new();

    /// <summary>How snapshots, events and the poller are tuned.</summary>
    public PollerOptions Poller { get; set; } = new();

    /// <summary>How the Kubernetes API is reached and what is watched.</summary>
    public KubernetesOptions Kubernetes { get; set; } = new();

    /// <summary>How long history is kept.</summary>
    public RetentionOptions Retention { get; set; } = new();

    /// <summary>Caps and thresholds of the read model.</summary>
    public QueryOptions Queries { get; set; } = new();

    /// <summary>The audit log and its signed checkpoints.</summary>
    public AuditOptions Audit { get; set; } = new();
}

/// <summary>
/// The health and metrics listener. The kubelet's probes and Prometheus reach a pod at its IP, which a
/// dashboard without sign-in must not listen on; this listener answers them and nothing else.
/// </summary>
public sealed class ManagementOptions
{
    /// <summary>Its port; none when unset.</summary>
    public int? Port { get; set; }

    /// <summary>Its address (any address: it serves no data beyond health and counters).</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";
}

/// <summary>The agent poller.</summary>
public sealed class PollerOptions
{
    /// <summary>
    /// <c>announce</c> (default): agents announce their manifest hash on their Pod and the dashboard
    /// fetches a node when its announcement differs from what it stored, with a slow safety poll;
    /// <c>poll</c>: the older design, every agent asked every <see cref="Interval"/>.
    /// </summary>
    public PollerMode Mode { get; set; } = PollerMode.Announce;

    /// <summary>Time between poll rounds in mode <c>poll</c>.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Mode <c>announce</c>: every node is still asked once in this interval, spread evenly over it
    /// (5,000 nodes over 10 min: about 8 a second), so a missed announcement is caught within it.
    /// </summary>
    public TimeSpan SafetyInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Mode <c>announce</c>: announced nodes fetched by each of the fetch workers in one go (they share <see cref="Concurrency"/>).</summary>
    public int AnnouncedBatchSize { get; set; } = 64;

    /// <summary>Agents polled at once.</summary>
    public int Concurrency { get; set; } = 64;

    /// <summary>Time allowed for one agent to answer.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The agents' port on their pod IP.</summary>
    public int AgentPort { get; set; } = 9440;

    /// <summary>
    /// File holding the dashboard's projected ServiceAccount token (audience <c>cni-dashboard-agent</c>);
    /// re-read whenever it changes, since the kubelet rotates it.
    /// </summary>
    public string AgentTokenFile { get; set; } = "/var/run/secrets/cni-dashboard/agent-token";

    /// <summary>
    /// PEM file of the CA that issued the agents' serving certificate (the chart's Secret, <c>ca.crt</c>).
    /// When set, agents are polled over HTTPS and only a certificate chained to this CA and issued for
    /// <see cref="AgentServerName"/> is accepted; when empty, over plain HTTP (tests and development only:
    /// the token would cross the node network in clear text). Re-read when it changes.
    /// </summary>
    public string? AgentCaFile { get; set; }

    /// <summary>
    /// The DNS name every agent's certificate carries (a SAN). Agents are dialled at node IPs no
    /// certificate can list, so this fixed name is what is checked, and sent as SNI.
    /// </summary>
    public string AgentServerName { get; set; } = DefaultAgentServerName;

    /// <summary>The chart's agent name for the namespace <c>cni-dashboard</c>.</summary>
    public const string DefaultAgentServerName = "cni-dashboard-agent.cni-dashboard.svc";

    /// <summary>Largest snapshot body accepted from an agent (its files are capped at 256 KiB each).</summary>
    public long MaxSnapshotBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Snapshots written to SQLite per transaction.</summary>
    public int IngestBatchSize { get; set; } = 128;

    /// <summary>
    /// Changed snapshots a poll round holds before it stores and analyzes them; the agents wait while
    /// a chunk is stored. Bounds the round's memory: a first round over 5,000 nodes otherwise held
    /// every node's files twice (as received and as kept) until the last agent answered.
    /// </summary>
    public int RoundChunkSize { get; set; } = 256;
}

/// <summary>The Kubernetes API and the watches.</summary>
public sealed class KubernetesOptions
{
    /// <summary>An explicit kubeconfig file; when empty: in-cluster, then <c>KUBECONFIG</c>, then <c>~/.kube/config</c>.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>A context of that kubeconfig other than the current one.</summary>
    public string? Context { get; set; }

    /// <summary>
    /// CNI-related DaemonSets and the agent, each with where its pods run and how to select them.
    /// Empty means the defaults (aws-node, cilium, linkerd-cni, istio-cni-node, cni-dashboard-agent).
    /// </summary>
    public List<CniComponentOptions> Components { get; set; } = [];

    /// <summary>Server-side watch timeout, so streams are renewed from the last resourceVersion regularly.</summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>First delay after a failed watch; doubles up to <see cref="MaxBackoff"/>, with jitter.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest delay between watch retries.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Page size of the initial lists.</summary>
    public int ListPageSize { get; set; } = 500;

    /// <summary>A rollout that has not progressed for this long is reported as stuck.</summary>
    public TimeSpan RolloutStuckAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Cilium's ConfigMap, whose settings (e.g. <c>cni-exclusive</c>) the analyzer weighs.</summary>
    public CiliumConfigOptions CiliumConfig { get; set; } = new();

    /// <summary>The defaults for <see cref="Components"/>.</summary>
    public static IReadOnlyList<CniComponentOptions> DefaultComponents { get; } =
    [
        new() { Name = "aws-node", Namespace = "kube-system", Selector = "k8s-app=aws-node" },
        new() { Name = "cilium", Namespace = "kube-system", Selector = "k8s-app=cilium" },
        new() { Name = "linkerd-cni", Namespace = "linkerd-cni", Selector = "k8s-app=linkerd-cni" },
        new() { Name = "istio-cni-node", Namespace = "istio-system", Selector = "k8s-app=istio-cni-node" },
        new() { Name = "cni-dashboard-agent", Namespace = "cni-dashboard", Selector = "app.kubernetes.io/name=cni-dashboard-agent", IsAgent = true },
    ];

    /// <summary>The components in force: the configured ones, or the defaults.</summary>
    public IReadOnlyList<CniComponentOptions> EffectiveComponents => Components.Count > 0 ? Components : DefaultComponents;
}

/// <summary>A CNI-related DaemonSet (or the agent's) and how to find its pods.</summary>
public sealed class CniComponentOptions
{
    /// <summary>The DaemonSet's name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Its namespace.</summary>
    public string Namespace { get; set; } = "";

    /// <summary>Label selector of its pods.</summary>
    public string Selector { get; set; } = "";

    /// <summary>True for the dashboard's own agent: its pod IP on a node is where that node is polled.</summary>
    public bool IsAgent { get; set; }
}

/// <summary>
/// Where Cilium's configuration is read from: one ConfigMap, watched by name (a Role limited to
/// that name is all the dashboard needs). A cluster without it (no Cilium) is normal.
/// </summary>
public sealed class CiliumConfigOptions
{
    /// <summary>Watch it; turn off where Cilium is not installed and the chart grants no Role for it.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Cilium's namespace.</summary>
    public string Namespace { get; set; } = "kube-system";

    /// <summary>The ConfigMap's name.</summary>
    public string Name { get; set; } = "cilium-config";
}

/// <summary>History retention.</summary>
public sealed class RetentionOptions
{
    /// <summary>Snapshots and sandbox events older than this are pruned (each node keeps its latest snapshot).</summary>
    public TimeSpan Keep { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often the retention job runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>Caps of the read model.</summary>
public sealed class QueryOptions
{
    /// <summary>Most rows one Nodes page returns.</summary>
    public int MaxPageSize { get; set; } = 500;

    /// <summary>Most snapshots one history request returns.</summary>
    public int MaxHistory { get; set; } = 500;

    /// <summary>Most sandbox events one request lists.</summary>
    public int MaxSandboxEvents { get; set; } = 1000;

    /// <summary>Sandbox-error increments kept in memory for the per-node "last hour" counts.</summary>
    public int MaxRecentSandboxIncrements { get; set; } = 200_000;

    /// <summary>Recent config changes on the Overview page.</summary>
    public int RecentChanges { get; set; } = 20;
}
