using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Benchmarks;

/// <summary>One node as the dashboard holds it: its snapshot's files and the cluster facts about it.</summary>
public sealed record FleetNode(string Name, IReadOnlyList<CniFolderFile> Files, IReadOnlyList<PluginBinary> Binaries, NodeClusterContext Context);

/// <summary>
/// A realistic fleet built from the reference folders: mostly healthy nodes, some in the incident state,
/// and a few with each of the other common breakages. Files are described once (as the agent would),
/// so the analyzer is measured doing what the dashboard does per snapshot: parse and judge.
/// </summary>
public static class Fleet
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);

    public static DateTimeOffset JudgedAt => Now;

    public static IReadOnlyList<FleetNode> Build(int count)
    {
        var cilium = Fixture("05-cilium.conflist");
        var aws = Fixture("10-aws.conflist");
        var kubeconfig = Fixture("ZZZ-linkerd-cni-kubeconfig");
        var incidentKubeconfig = Fixture("ZZZ-linkerd-cni-kubeconfig.incident");
        var binaries = new[] { "aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni", "host-local", "loopback", "bandwidth" }
            .Select(n => new PluginBinary(n, 40_000_000, null)).ToArray();

        var nodes = new List<FleetNode>(count);
        for (var i = 0; i < count; i++)
        {
            var name = $"ip-10-0-{i / 250}-{i % 250}.us-west-2.compute.internal";
            var livePod = i % 10 == 3 ? "linkerd-cni-ltrn6" : "linkerd-cni-9qv4d";
            var files = new List<(string, string)>();
            switch (i % 20)
            {
                case 3: case 13: // the incident: token bound to a deleted pod
                    files.AddRange([("05-cilium.conflist", cilium), ("10-aws.conflist", aws), ("ZZZ-linkerd-cni-kubeconfig", incidentKubeconfig)]);
                    break;
                case 5: // duplicate linkerd-cni after a failed cleanup
                    files.AddRange([("05-cilium.conflist", Duplicate(cilium)), ("10-aws.conflist", aws), ("ZZZ-linkerd-cni-kubeconfig", kubeconfig)]);
                    break;
                case 7: // Cilium exclusive mode renamed the AWS file
                    files.AddRange([("05-cilium.conflist", cilium), ("10-aws.conflist.cilium_bak", aws), ("ZZZ-linkerd-cni-kubeconfig", kubeconfig)]);
                    break;
                case 11: // an editor's backup sorting first
                    files.AddRange([("00-backup.conflist", cilium), ("05-cilium.conflist", cilium), ("10-aws.conflist", aws), ("ZZZ-linkerd-cni-kubeconfig", kubeconfig)]);
                    break;
                case 17: // a broken primary
                    files.AddRange([("05-cilium.conflist", cilium[..(cilium.Length / 2)]), ("10-aws.conflist", aws), ("ZZZ-linkerd-cni-kubeconfig", kubeconfig)]);
                    break;
                default: // healthy, plus the stray tmp file some nodes carry
                    files.AddRange([("05-cilium.conflist", cilium), ("10-aws.conflist", aws), ("ZZZ-linkerd-cni-kubeconfig", kubeconfig)]);
                    if (i % 2 == 0) files.Add(("05-cilium.conflist.tmp", cilium));
                    break;
            }

            var described = files.Select(f => CniFolderReader.FromText(f.Item1, f.Item2)).OrderBy(f => f.Name, Utf8OrdinalComparer.Instance).ToArray();
            var context = new NodeClusterContext
            {
                Node = name,
                Pods =
                [
                    new ContextPod { Namespace = "linkerd-cni", Name = livePod, DaemonSet = "linkerd-cni", Image = "cr.l5d.io/linkerd/cni-plugin:v1.6.2", Phase = "Running", Ready = livePod.EndsWith("9qv4d", StringComparison.Ordinal) },
                    new ContextPod { Namespace = "kube-system", Name = $"cilium-{i:x5}", DaemonSet = "cilium", Image = "quay.io/cilium/cilium:v1.16.6", Phase = "Running", Ready = true },
                    new ContextPod { Namespace = "kube-system", Name = $"aws-node-{i:x5}", DaemonSet = "aws-node", Image = "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2", Phase = "Running", Ready = true },
                ],
                // As the dashboard gives them: the DaemonSets it watches, and what most of the node's group runs.
                WatchedDaemonSets = ["aws-node", "cilium", "linkerd-cni", "istio-cni-node"],
                NodeGroup = GroupMajority,
                DaemonSets =
                [
                    new ContextDaemonSet { Namespace = "linkerd-cni", Name = "linkerd-cni", Image = "cr.l5d.io/linkerd/cni-plugin:v1.6.2", Desired = count, Updated = count, Ready = count },
                    new ContextDaemonSet { Namespace = "kube-system", Name = "cilium", Image = "quay.io/cilium/cilium:v1.16.6", Desired = count, Updated = count, Ready = count },
                ],
                CiliumConfig = new Dictionary<string, string> { ["cni-exclusive"] = "false" },
            };
            nodes.Add(new FleetNode(name, described, binaries, context));
        }
        return nodes;
    }

    /// <summary>
    /// <paramref name="count"/> nodes all in the incident state: the stale linkerd-cni entry in both
    /// conflists with a token bound to a deleted pod, the replacement pod not Ready, sandbox errors.
    /// </summary>
    public static IReadOnlyList<FleetNode> Incident(int count)
    {
        var cilium = Fixture("05-cilium.conflist");
        var aws = Fixture("10-aws.conflist");
        var incidentKubeconfig = Fixture("ZZZ-linkerd-cni-kubeconfig.incident");
        var binaries = new[] { "aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni", "host-local", "loopback" }.Select(n => new PluginBinary(n, 40_000_000, null)).ToArray();
        var nodes = new List<FleetNode>(count);
        for (var i = 0; i < count; i++)
        {
            var name = $"ip-10-{i / 62500}-{i / 250 % 250}-{i % 250}.us-west-2.compute.internal";
            // Described one by one, as each node's snapshot arrives from its own agent.
            var files = new[] { ("05-cilium.conflist", cilium), ("10-aws.conflist", aws), ("ZZZ-linkerd-cni-kubeconfig", incidentKubeconfig) }
                .Select(f => CniFolderReader.FromText(f.Item1, f.Item2)).ToArray();
            var context = new NodeClusterContext
            {
                Node = name,
                Pods =
                [
                    new ContextPod { Namespace = "linkerd-cni", Name = $"linkerd-cni-{i:x5}", DaemonSet = "linkerd-cni", Image = "cr.l5d.io/linkerd/cni-plugin:v1.6.2", Phase = "Running", Ready = false },
                    new ContextPod { Namespace = "kube-system", Name = $"cilium-{i:x5}", DaemonSet = "cilium", Image = "quay.io/cilium/cilium:v1.16.6", Phase = "Running", Ready = true },
                ],
                DaemonSets =
                [
                    new ContextDaemonSet { Namespace = "linkerd-cni", Name = "linkerd-cni", Image = "cr.l5d.io/linkerd/cni-plugin:v1.6.2", Desired = count, Updated = count / 2, Ready = count / 2 },
                ],
                CiliumConfig = new Dictionary<string, string> { ["cni-exclusive"] = "false" },
                SandboxErrors = [new ContextSandboxError { PluginType = "linkerd-cni", ErrorClass = Shared.Sandbox.SandboxErrorClass.Unauthorized, Count = 1 + (i * 7 % 40) }],
            };
            nodes.Add(new FleetNode(name, files, binaries, context));
        }
        return nodes;
    }

    /// <summary>What most nodes of the fleet's one node group run: the healthy primary and chain.</summary>
    private static readonly ContextNodeGroup GroupMajority = new()
    {
        Name = "ng-general",
        Primary = "05-cilium.conflist",
        Chain = ["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"],
        Majority = 4000,
        Nodes = 5000,
    };

    /// <summary>Total number of files in the fleet.</summary>
    public static int FileCount(IReadOnlyList<FleetNode> nodes) => nodes.Sum(n => n.Files.Count);

    private static string Duplicate(string conflist)
    {
        var config = CniConfigParser.Load("x.conflist", conflist).Config!;
        var span = config.Plugins[^1].Span;
        var linkerd = conflist.Substring(span.Start, span.Length);
        return conflist.Insert(span.Start, linkerd + ",\n    ");
    }

    private static string Fixture(string name)
    {
        using var stream = typeof(Fleet).Assembly.GetManifestResourceStream("Fixtures/" + name)
            ?? throw new InvalidOperationException($"missing embedded fixture {name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
