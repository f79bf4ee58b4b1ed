using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Client.Tests.Fakes;

/// <summary>One stored snapshot of a node: when, and the folder then.</summary>
public sealed record SampleSnapshot(long Id, DateTimeOffset TakenAt, IReadOnlyList<CniFolderFile> Files);

/// <summary>One failed sandbox creation, before aggregation into events.</summary>
public sealed record SampleFailure(DateTimeOffset At, string Node, string Namespace, string Pod, string Message, ConfigEntryLink? Link);

/// <summary>
/// A realistic 12-node EKS cluster (AWS VPC CNI + Cilium chaining + linkerd-cni) built from the
/// reference folders: 3 incident nodes whose linkerd-cni token is bound to a deleted pod (critical
/// <c>mesh-token-pod-gone</c> on <c>05-cilium.conflist</c>/<c>linkerd-cni</c>, Unauthorized sandbox
/// errors), a stuck linkerd-cni rollout, one stale agent, one warning.
/// </summary>
public sealed class SampleCluster
{
    /// <summary>The sample's "now".</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);

    /// <summary>The critical rule of the incident.</summary>
    public const string IncidentRule = "mesh-token-pod-gone";

    /// <summary>The incident nodes.</summary>
    public static readonly string[] IncidentNodes =
    [
        "ip-10-0-12-34.us-west-2.compute.internal",
        "ip-10-0-13-7.us-west-2.compute.internal",
        "ip-10-0-14-21.us-west-2.compute.internal",
    ];

    /// <summary>A healthy node of the same group.</summary>
    public const string HealthyNode = "ip-10-0-1-11.us-west-2.compute.internal";

    /// <summary>The node whose agent stopped answering.</summary>
    public const string StaleNode = "ip-10-0-2-20.us-west-2.compute.internal";

    /// <summary>The node with a warning.</summary>
    public const string WarningNode = "ip-10-0-2-21.us-west-2.compute.internal";

    private const string OsImage = "Bottlerocket OS 1.29.0 (aws-k8s-1.31)";

    /// <summary>Rows of the Nodes page, by name.</summary>
    public Dictionary<string, NodeSummary> Nodes { get; } = new(StringComparer.Ordinal);

    /// <summary>Node detail pages, by name.</summary>
    public Dictionary<string, NodeDetail> Details { get; } = new(StringComparer.Ordinal);

    /// <summary>Snapshots per node, newest first.</summary>
    public Dictionary<string, List<SampleSnapshot>> Snapshots { get; } = new(StringComparer.Ordinal);

    /// <summary>Individual sandbox failures.</summary>
    public List<SampleFailure> Failures { get; } = [];

    /// <summary>CNI DaemonSets.</summary>
    public List<DaemonSetStatus> DaemonSets { get; } = [];

    /// <summary>The status bar.</summary>
    public ConnectionStatus Connection { get; set; } = new()
    {
        ClusterName = "eks-prod-us-west-2",
        Watches =
        [
            new WatchHealth("nodes", true, Now.AddHours(-6), null),
            new WatchHealth("pods", true, Now.AddHours(-6), null),
            new WatchHealth("daemonsets", true, Now.AddHours(-6), null),
            new WatchHealth("events", true, Now.AddHours(-6), null),
        ],
        LastPollAt = Now.AddSeconds(-8),
        PollInterval = TimeSpan.FromSeconds(30),
    };

    /// <summary>A cluster the dashboard has not polled yet.</summary>
    public static SampleCluster Empty() => new()
    {
        Connection = new ConnectionStatus { ClusterName = "eks-prod-us-west-2", PollInterval = TimeSpan.FromSeconds(30) },
    };

    /// <summary>The 12-node incident cluster.</summary>
    public static SampleCluster Create()
    {
        var cluster = new SampleCluster();
        var healthy = Folder("healthy");
        var incident = Folder("incident");
        var beforeMesh = WithoutLinkerd(healthy);
        long snapshotId = 100;

        var names = new List<(string Name, string Group)>();
        names.AddRange(IncidentNodes.Select(n => (n, "ng-general")));
        names.AddRange(Enumerable.Range(11, 6).Select(i => ($"ip-10-0-1-{i}.us-west-2.compute.internal", "ng-general")));
        names.Add((StaleNode, "ng-batch"));
        names.Add((WarningNode, "ng-batch"));
        names.Add(("ip-10-0-2-22.us-west-2.compute.internal", "ng-batch"));

        foreach (var (name, group) in names)
        {
            var isIncident = IncidentNodes.Contains(name);
            var latest = isIncident ? incident : healthy;
            if (name == WarningNode)
            {
                latest = [.. latest, CniFolderReader.FromText("10-aws.conflist.cilium_bak", Fixture.Read("healthy", "10-aws.conflist"))];
            }

            var snapshots = new List<SampleSnapshot>
            {
                new(++snapshotId, Now.AddDays(-2), beforeMesh),
                new(++snapshotId, Now.AddDays(-1).AddHours(isIncident ? 0 : 1), latest),
            };
            snapshots.Reverse();
            cluster.Snapshots[name] = snapshots;
            cluster.AddNode(name, group, latest, snapshots[0]);
        }

        cluster.AddIncidentFailures();
        foreach (var node in IncidentNodes)
        {
            cluster.Details[node] = cluster.Details[node] with { SandboxErrors = cluster.Events(f => f.Node == node) };
        }

        cluster.DaemonSets.AddRange(
        [
            new DaemonSetStatus
            {
                Namespace = "linkerd-cni", Name = "linkerd-cni", Image = "cr.l5d.io/linkerd/cni-plugin:v1.6.2",
                Desired = 12, Updated = 12, Ready = 9, Available = 9, Stuck = true, NotReadyNodes = IncidentNodes,
            },
            new DaemonSetStatus
            {
                Namespace = "kube-system", Name = "cilium", Image = "quay.io/cilium/cilium:v1.16.5",
                Desired = 12, Updated = 12, Ready = 12, Available = 12,
            },
            new DaemonSetStatus
            {
                Namespace = "kube-system", Name = "aws-node", Image = "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2",
                Desired = 12, Updated = 12, Ready = 12, Available = 12,
            },
        ]);
        return cluster;
    }

    /// <summary>Turns a node critical, as the analyzer would after a bad change (for live-update tests).</summary>
    public void MarkCritical(string node, string rule = IncidentRule)
    {
        var finding = IncidentFinding(node) with { Rule = rule };
        Nodes[node] = Nodes[node] with { WorstSeverity = Severity.Critical, WorstRule = rule, WorstMessage = finding.Message, FindingCount = Nodes[node].FindingCount + 1 };
        Details[node] = Details[node] with
        {
            Summary = Nodes[node],
            Findings = [finding, .. Details[node].Findings],
            Chain = Details[node].Chain.Select(c => c.Type == "linkerd-cni" ? c with { Severity = Severity.Critical } : c).ToList(),
        };
    }

    /// <summary>
    /// Makes a node one whose agent never answered, as the host reports it: no snapshot, no files, no chain, no
    /// findings, and no severity (which the host's counts take as OK).
    /// </summary>
    public void MarkNeverReached(string node, string reason = "An error occurred while sending the request.")
    {
        Nodes[node] = Nodes[node] with
        {
            Agent = new AgentStatus { State = AgentState.Unknown, Reason = reason },
            PrimaryFile = null,
            PrimaryStatus = null,
            Chain = [],
            WorstSeverity = null,
            WorstRule = null,
            WorstMessage = null,
            FindingCount = 0,
            LastChangeAt = null,
        };
        Details[node] = Details[node] with { Summary = Nodes[node], SnapshotId = null, SnapshotAt = null, Files = [], Chain = [], Findings = [] };
    }

    /// <summary>Marks a node's agent stale.</summary>
    public void MarkStale(string node, string reason = "timeout after 5 s", bool answers = false)
    {
        Nodes[node] = Nodes[node] with
        {
            Agent = new AgentStatus { State = AgentState.Stale, StaleSince = Now.AddMinutes(-12), Reason = reason, LastSeenAt = answers ? Now.AddMinutes(-2) : Now.AddMinutes(-12), Version = "0.1.0", Answers = answers },
        };
        Details[node] = Details[node] with { Summary = Nodes[node] };
    }

    private void AddNode(string name, string group, IReadOnlyList<CniFolderFile> files, SampleSnapshot latest)
    {
        var folder = CniFolder.Read(files);
        var isIncident = IncidentNodes.Contains(name);
        var findings = new List<Finding>();
        if (isIncident)
        {
            findings.Add(IncidentFinding(name));
        }

        if (name == WarningNode)
        {
            findings.Add(new Finding
            {
                Rule = "cilium-bak-leftover",
                Severity = Severity.Warning,
                File = "10-aws.conflist.cilium_bak",
                Message = "Leftover 10-aws.conflist.cilium_bak from Cilium's exclusive mode",
                Explanation = "Cilium with cni.exclusive=true renamed the AWS config. If Cilium's file goes away, nothing falls back.",
                Remediation = "Set cni.exclusive=false in the Cilium Helm values when chaining, then restore or delete the backup.",
                Evidence = ["10-aws.conflist.cilium_bak (1,234 bytes)"],
                Edit = new FileEdit { Kind = FileEditKind.Delete, File = "10-aws.conflist.cilium_bak", Summary = "Delete 10-aws.conflist.cilium_bak" },
            });
        }

        findings.Add(new Finding
        {
            Rule = "mesh-token-past-warnafter",
            Severity = Severity.Info,
            File = "ZZZ-linkerd-cni-kubeconfig",
            Plugin = "linkerd-cni",
            Message = "linkerd-cni's token is past its warnafter time",
            Explanation = "The API server still accepts extended tokens until they expire.",
            Remediation = "Nothing now; the token is refreshed when the linkerd-cni pod restarts.",
        });

        var worst = findings.OrderByDescending(f => f.Severity).First();
        var errorsLastHour = isIncident ? FailureCount(name) : 0;
        var summary = new NodeSummary
        {
            Name = name,
            NodeGroup = group,
            OsImage = OsImage,
            InstanceType = "m6i.2xlarge",
            KubeletVersion = "v1.31.4-eks-aeac579",
            NetworkReady = true,
            PrimaryFile = folder.Primary.FileName,
            PrimaryStatus = folder.Primary.Status,
            Chain = folder.Primary.ChainTypes,
            WorstSeverity = worst.Severity,
            WorstRule = worst.Rule,
            WorstMessage = worst.Message,
            FindingCount = findings.Count(f => f.Severity >= Severity.Warning),
            SandboxErrorsLastHour = errorsLastHour,
            PodsStuckCreating = isIncident ? 4 : 0,
            Agent = name == StaleNode
                ? new AgentStatus { State = AgentState.Stale, StaleSince = Now.AddMinutes(-12), Reason = "timeout after 5 s", LastSeenAt = Now.AddMinutes(-12), Version = "0.1.0" }
                : new AgentStatus { State = AgentState.Current, LastSeenAt = Now.AddSeconds(-8), Version = "0.1.0" },
            LastChangeAt = latest.TakenAt,
        };
        Nodes[name] = summary;

        var chain = folder.Primary.Chain.Select(p => new ChainEntry
        {
            Index = p.Index,
            Type = p.Type,
            Name = p.Name,
            File = folder.Primary.FileName!,
            JsonPointer = p.JsonPointer,
            Severity = isIncident && p.Type == "linkerd-cni" ? Severity.Critical : null,
            SandboxErrorsLastHour = isIncident && p.Type == "linkerd-cni" ? errorsLastHour : 0,
        }).ToList();

        var ignored = folder.Primary.Ignored.ToDictionary(i => i.Name, i => i.Reason, StringComparer.Ordinal);
        Details[name] = new NodeDetail
        {
            Summary = summary,
            SnapshotId = latest.Id,
            SnapshotAt = latest.TakenAt,
            Files = files.Select(f => new NodeFileView
            {
                File = f,
                IsPrimary = f.Name == folder.Primary.FileName,
                IgnoredReason = ignored.GetValueOrDefault(f.Name),
                LoadError = f.LoadError,
            }).ToList(),
            Chain = chain,
            Findings = findings.Where(f => f.Severity >= Severity.Info).OrderByDescending(f => f.Severity).ToList(),
            Pods =
            [
                new NodePod
                {
                    Namespace = "linkerd-cni", Name = isIncident ? "linkerd-cni-ltrn6" : "linkerd-cni-9qv4d", DaemonSet = "linkerd-cni",
                    Image = "cr.l5d.io/linkerd/cni-plugin:v1.6.2", Phase = isIncident ? "Pending" : "Running", Ready = !isIncident,
                    StartedAt = isIncident ? null : Now.AddDays(-1),
                },
                new NodePod { Namespace = "kube-system", Name = "cilium-x7k2p", DaemonSet = "cilium", Image = "quay.io/cilium/cilium:v1.16.5", Phase = "Running", Ready = true, StartedAt = Now.AddDays(-3) },
            ],
            Labels = new Dictionary<string, string> { ["eks.amazonaws.com/nodegroup"] = group },
        };
    }

    private static Finding IncidentFinding(string node) => new()
    {
        Rule = IncidentRule,
        Severity = Severity.Critical,
        File = "05-cilium.conflist",
        Plugin = "linkerd-cni",
        JsonPointer = "/plugins/4",
        Message = "linkerd-cni in the primary chain uses a token bound to pod linkerd-cni-5hxw8, which no longer runs on this node",
        Explanation = "The token in ZZZ-linkerd-cni-kubeconfig was bound to the linkerd-cni pod deleted during the upgrade; the API server revoked it, so every pod ADD on this node fails with Unauthorized — including the new linkerd-cni pod that would fix it.",
        Remediation = "Remove the linkerd-cni object from 05-cilium.conflist (and 10-aws.conflist), then restart the linkerd-cni pod on this node; it re-installs its entry with a fresh token.",
        Evidence =
        [
            "05-cilium.conflist /plugins/4: {\"type\":\"linkerd-cni\",…}",
            "token kubernetes.io.pod.name=linkerd-cni-5hxw8; running linkerd-cni pod: linkerd-cni-ltrn6 (not Ready)",
            $"{FailureCountFor(node)} FailedCreatePodSandBox Unauthorized events in the last hour",
        ],
    };

    private static int FailureCountFor(string node) => Array.IndexOf(IncidentNodes, node) switch
    {
        0 => 27,
        1 => 14,
        _ => 9,
    };

    private int FailureCount(string node) => FailureCountFor(node);

    private void AddIncidentFailures()
    {
        const string Unauthorized = "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"41b3c75a4675a1d9b923e011ae1d4ba1c11792ffe67bbcf73d443bfbeb58111b\": plugin type=\"linkerd-cni\" name=\"linkerd-cni\" failed (add): Unauthorized";
        var link = new ConfigEntryLink { File = "05-cilium.conflist", JsonPointer = "/plugins/4", PluginType = "linkerd-cni", Rule = IncidentRule };
        foreach (var node in IncidentNodes)
        {
            var count = FailureCountFor(node);
            for (var i = 0; i < count; i++)
            {
                var pod = i % 3 == 0 ? ("linkerd-cni", "linkerd-cni-ltrn6") : ("default", "web-7d9f8b6c5d-x2x4q");
                Failures.Add(new SampleFailure(Now.AddMinutes(-2 - (i * 50 / count)), node, pod.Item1, pod.Item2, Unauthorized, link));
            }
        }

        // An older, unrelated failure: a Cilium agent restart two days ago.
        Failures.Add(new SampleFailure(Now.AddDays(-2), HealthyNode, "default", "api-5f7c9d8b6-q8w2e",
            "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"7d8e9f0a\": plugin type=\"cilium-cni\" failed (add): unable to connect to Cilium daemon: dial unix /var/run/cilium/cilium.sock: connect: no such file or directory",
            null));
    }

    /// <summary>Sandbox error events (failures aggregated per node and pod, as the kubelet counts them).</summary>
    public IReadOnlyList<SandboxErrorView> Events(Func<SampleFailure, bool> include) =>
        Failures.Where(include)
            .GroupBy(f => (f.Node, f.Namespace, f.Pod, f.Message))
            .Select(g => new SandboxErrorView
            {
                EventUid = $"{g.Key.Node}/{g.Key.Pod}",
                Node = g.Key.Node,
                Namespace = g.Key.Namespace,
                Pod = g.Key.Pod,
                Failure = SandboxErrorParser.Parse(g.Key.Message),
                Count = g.Count(),
                FirstSeen = g.Min(f => f.At),
                LastSeen = g.Max(f => f.At),
                LinkedEntry = g.First().Link,
            })
            .OrderByDescending(e => e.LastSeen)
            .ToList();

    private static List<CniFolderFile> Folder(string name) =>
    [
        CniFolderReader.FromText("05-cilium.conflist", Fixture.Read(name, "05-cilium.conflist")),
        CniFolderReader.FromText("10-aws.conflist", Fixture.Read(name, "10-aws.conflist")),
        CniFolderReader.FromText("ZZZ-linkerd-cni-kubeconfig", Fixture.Read(name, "ZZZ-linkerd-cni-kubeconfig")),
    ];

    /// <summary>The folder as it was before linkerd-cni was installed: its plugin objects cut out, no kubeconfig.</summary>
    private static List<CniFolderFile> WithoutLinkerd(IReadOnlyList<CniFolderFile> files) =>
        files.Where(f => f.Kind == CniFileKind.Config)
            .Select(f => CniFolderReader.FromText(f.Name, RemoveLastPlugin(f.Content!)))
            .ToList();

    private static string RemoveLastPlugin(string text)
    {
        var config = CniConfigParser.Load("x.conflist", text).Config!;
        var last = config.Plugins[^1];
        var previous = config.Plugins[^2];
        return string.Concat(text.AsSpan(0, previous.Span.End), text.AsSpan(last.Span.End));
    }
}
