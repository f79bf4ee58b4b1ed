using System.Diagnostics;
using System.Net;
using System.Text.Json.Serialization;
using CniDashboard.Server.Api;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Tests.Remediation;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Remediation;
using CniDashboard.Simulator;
using CniDashboard.Simulator.Nodes;
using Microsoft.AspNetCore.SignalR.Client;

namespace CniDashboard.Server.Tests.Replicas;

/// <summary>
/// Two dashboard processes on one PostgreSQL store and one simulated cluster; the leader is killed
/// with SIGKILL mid-work and the follower must take over within the lease, losing nothing, applying
/// nothing twice, and keep its own UI's feed going.
/// </summary>
public sealed class FailoverTests
{
    /// <summary>The leader Lease's duration in these tests (renew deadline 2/3 of it, retries every 1/6).</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(6);

    /// <summary>
    /// The longest a follower may take: the Lease must look unrenewed for a whole duration on the
    /// follower's own clock, which it saw renewed up to one retry period late; then its next attempt
    /// comes within a retry period plus that attempt's own deadline (KubernetesClient gives each up to
    /// 1.2 × 2 retry periods). About the lease duration: 6 s here, bound 9.5 s.
    /// </summary>
    private static readonly TimeSpan Takeover = Lease + 3.5 * (Lease / 6);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Killing_the_leader_in_the_middle_of_a_fetch_round_hands_over_within_the_lease_and_loses_no_change()
    {
        // Poll rounds every second: a round is always about to start or underway.
        await using var pair = await ReplicaPair.StartAsync("127.52.0.0", new Dictionary<string, string> { ["Dashboard__Poller__Mode"] = "poll" });
        var (cluster, a, b) = (pair.Cluster, pair.A, pair.B);
        using var viewer = await b.ClientAsync("viewer", "viewers");

        // The follower shows what the leader stores, and streams it on its hub.
        var nodes = cluster.Nodes.Select(n => n.Name).ToArray();
        var first = await WriteAsync(cluster, nodes[0], "seen-by-follower.txt");
        await WaitForFilesAsync(viewer, [(nodes[0], first)], "the follower to show the leader's write");
        var hub = await StreamAsync(b);

        // A round in its middle: the leader has asked the held node and waits, the others' answers in hand.
        var written = new List<(string Node, string File)>();
        var held = cluster.NodesWithRole(NodeRole.Healthy)[0].Name;
        using (var hold = cluster.Agents.HoldSnapshot(held))
        {
            foreach (var node in nodes) written.Add((node, await WriteAsync(cluster, node, "before-kill.txt")));
            await hold.Reached.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            var killed = Stopwatch.StartNew();
            a.Kill();
            hold.Release();

            // Written while nobody leads.
            foreach (var node in nodes) written.Add((node, await WriteAsync(cluster, node, "during-gap.txt")));
            await Eventually.WaitAsync(async () => await b.LeadershipAsync() is { IsLeader: true }, "replica-b to lead", Takeover + TimeSpan.FromSeconds(10));
            var tookOver = killed.Elapsed;
            Assert.True(tookOver <= Takeover, $"replica-b led {tookOver.TotalSeconds:F1} s after the kill; the lease is {Lease.TotalSeconds} s (bound {Takeover.TotalSeconds:F1} s)");
        }

        // Nothing lost: every file written before the kill and in the gap is stored and shown.
        await WaitForFilesAsync(viewer, written, "every file written before the kill and during the gap");
        // The surviving replica's feed kept going: its hub streamed the gap's changes, written by itself as leader.
        await Eventually.WaitAsync(() =>
        {
            lock (hub.Changes) return nodes.All(n => hub.Changes.Any(c => c.Kind == ClusterChangeKind.NodeChanged && c.Node == n && c.Summary?.Contains("during-gap-", StringComparison.Ordinal) == true));
        }, "the gap's changes on replica-b's hub", TimeSpan.FromSeconds(30));
        lock (hub.Changes) Assert.Contains(hub.Changes, c => c.Node == nodes[0] && c.Summary?.Contains("before-kill-", StringComparison.Ordinal) == true);
        await hub.DisposeAsync();
    }

    [Fact]
    public async Task Killing_the_leader_in_the_middle_of_a_remediation_step_resumes_the_plan_on_the_follower_and_writes_each_file_once()
    {
        await using var pair = await ReplicaPair.StartAsync("127.53.0.0", new Dictionary<string, string>());
        var (cluster, a, b) = (pair.Cluster, pair.A, pair.B);

        // Everything through the follower's API: people may be on any replica.
        using var operatorClient = await b.ClientAsync("olivia", "operators");
        using var approverClient = await b.ClientAsync("alex", "approvers");
        var incident = cluster.NodesWithRole(NodeRole.Incident).Select(n => n.Name).Take(2).ToArray();
        var rule = await Eventually.WaitAsync(async () =>
        {
            var detail = await GetAsync<NodeDetail>(operatorClient, $"api/v1/nodes/{incident[0]}");
            return detail?.Findings.FirstOrDefault(f => f.Severity == Severity.Critical && f.Edit is not null)?.Rule;
        }, "the incident's finding on the follower", TimeSpan.FromSeconds(90));
        await Eventually.WaitAsync(async () => (await GetAsync<NodeDetail>(operatorClient, $"api/v1/nodes/{incident[1]}"))?.Findings.Any(f => f.Rule == rule) == true, "the finding on the second node");

        var draft = await SendAsync<RemediationPlan>(operatorClient, "api/v1/remediation/plans", new PlanDraftRequest
        {
            Rule = rule, Plugin = "linkerd-cni", Nodes = incident,
            Options = new RemediationOptions { VerificationWindow = RemediationOptions.MinVerificationWindow, ReadyTimeout = TimeSpan.FromSeconds(30) },
        });
        var submitted = await SendAsync<RemediationPlan>(operatorClient, $"api/v1/remediation/plans/{draft.Id}/submit", new PlanSubmitRequest(draft.Version, "fix the stale entry"));
        await SendAsync<RemediationPlan>(approverClient, $"api/v1/remediation/plans/{draft.Id}/approve",
            new PlanApproveRequest(submitted.Sha256(), "ok", [.. submitted.Risks.Select(r => r.Id)], null));
        await SendAsync<RemediationPlan>(operatorClient, $"api/v1/remediation/plans/{draft.Id}/start", new { });

        // The leader's engine works on the first node; kill it while a step is in progress there.
        var midStep = await Eventually.WaitAsync(async () =>
        {
            var plan = await GetAsync<RemediationPlan>(operatorClient, $"api/v1/remediation/plans/{draft.Id}");
            return plan?.Nodes.FirstOrDefault(n => n.StepInProgress && n.Step is NodeStep.Apply or NodeStep.RestartPod or NodeStep.WaitReady or NodeStep.Verify) is { } n ? (object)n : null;
        }, "a remediation step in progress", TimeSpan.FromSeconds(60));
        a.Kill();

        await Eventually.WaitAsync(async () => await b.LeadershipAsync() is { IsLeader: true }, "replica-b to lead", Takeover + TimeSpan.FromSeconds(10));
        // The follower resumes once it leads and the remediation Lease replica-a held has expired.
        var done = await Eventually.WaitAsync(async () =>
        {
            var plan = await GetAsync<RemediationPlan>(operatorClient, $"api/v1/remediation/plans/{draft.Id}");
            return plan is { State: PlanState.Completed or PlanState.Paused or PlanState.Aborted or PlanState.RolledBack } ? plan : null;
        }, "the plan to finish on replica-b", TimeSpan.FromSeconds(120));
        Assert.True(done.State == PlanState.Completed, $"plan ended {done.State}: {done.PauseDetail}; was mid-step on {midStep}");
        foreach (var name in incident)
        {
            var node = done.NodeNamed(name);
            Assert.Equal(node.Edits.Count, node.Applied.Count);
            var journal = RemediationFaultTests.JournalChangeIds(cluster.Node(name).BackupDir);
            foreach (var applied in node.Applied) Assert.Equal(1, journal.Count(id => id == applied.ChangeId));
        }
    }

    /// <summary>
    /// A simulated cluster of 6 nodes on <c>addressBase</c>, a fresh database, and two replicas sharing
    /// the audit key: replica-a started first and leading, replica-b following it.
    /// </summary>
    private sealed class ReplicaPair : IAsyncDisposable
    {
        private readonly TempDir _dir = new();
        private readonly PostgresTestDatabase _database = new();

        public SimulatedCluster Cluster { get; private set; } = null!;
        public ChildDashboard A { get; private set; } = null!;
        public ChildDashboard B { get; private set; } = null!;

        public static async Task<ReplicaPair> StartAsync(string addressBase, IReadOnlyDictionary<string, string> more)
        {
            var pair = new ReplicaPair();
            try
            {
                await pair.LaunchAsync(addressBase, more);
                return pair;
            }
            catch
            {
                await pair.DisposeAsync();
                throw;
            }
        }

        private async Task LaunchAsync(string addressBase, IReadOnlyDictionary<string, string> more)
        {
            var pair = this;
            pair.Cluster = await SimulatedCluster.StartAsync(new SimulationOptions
            {
                DataDir = pair._dir.Sub("simulation"), NodeCount = 6, AddressBase = IPAddress.Parse(addressBase), TimeScale = 10,
            }, Ct);
            var key = Path.Combine(pair._dir.Sub("keys"), "audit-checkpoint.pem");
            using (AuditCheckpointKey.ReadOrCreate(key))
            {
            }

            Dictionary<string, string> Settings(string identity)
            {
                var settings = ChildDashboard.ReplicaSettings(identity, pair._database.ConnectionString, key, Lease);
                foreach (var (k, v) in more) settings[k] = v;
                return settings;
            }

            pair.A = ChildDashboard.Start(pair.Cluster, pair._dir.Sub("a"), Settings("replica-a"));
            await WaitForLeaderAsync(pair.A, "replica-a");
            pair.B = ChildDashboard.Start(pair.Cluster, pair._dir.Sub("b"), Settings("replica-b"));
            await Eventually.WaitAsync(async () => await pair.B.LeadershipAsync() is { Leader: "replica-a", IsLeader: false }, "replica-b to follow replica-a", TimeSpan.FromSeconds(90));
        }

        public async ValueTask DisposeAsync()
        {
            A?.Dispose();
            B?.Dispose();
            if (Cluster is not null) await Cluster.DisposeAsync();
            _database.Dispose();
            _dir.Dispose();
        }
    }

    private static async Task WaitForLeaderAsync(ChildDashboard replica, string identity)
    {
        try
        {
            await Eventually.WaitAsync(async () => await replica.LeadershipAsync() is { IsLeader: true } l && l.Replica == identity,
                $"{identity} to lead", TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} It said:\n{replica.Output}", e);
        }
    }

    private static async Task<string> WriteAsync(SimulatedCluster cluster, string node, string file)
    {
        var name = $"{Path.GetFileNameWithoutExtension(file)}-{Guid.NewGuid():n}"[..32] + ".txt";
        await File.WriteAllTextAsync(Path.Combine(cluster.Node(node).CniDir, name), "written by the failover test\n", Ct);
        return name;
    }

    private static Task WaitForFilesAsync(HttpClient viewer, IReadOnlyList<(string Node, string File)> files, string what) =>
        Eventually.WaitAsync(async () =>
        {
            foreach (var group in files.GroupBy(f => f.Node, StringComparer.Ordinal))
            {
                var detail = await GetAsync<NodeDetail>(viewer, $"api/v1/nodes/{group.Key}");
                var shown = detail?.Files.Select(f => f.File.Name).ToHashSet(StringComparer.Ordinal) ?? [];
                if (!group.All(f => shown.Contains(f.File))) return false;
            }

            return true;
        }, what, TimeSpan.FromSeconds(60));

    private static async Task<T?> GetAsync<T>(HttpClient http, string path) where T : class
    {
        using var response = await http.GetAsync(path, Ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<T>(SimulatedDashboard.Json, Ct);
    }

    private static async Task<T> SendAsync<T>(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body, SimulatedDashboard.Json, Ct);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return (await response.Content.ReadFromJsonAsync<T>(SimulatedDashboard.Json, Ct))!;
    }

    private static async Task<HubStream> StreamAsync(ChildDashboard replica)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri($"http://127.0.0.1:{replica.Port}/hubs/cluster"), o =>
            {
                o.Headers.Add("X-Forwarded-User", "viewer");
                o.Headers.Add("X-Forwarded-Groups", "viewers");
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build();
        await connection.StartAsync(Ct);
        var stream = new HubStream(connection);
        stream.Start();
        return stream;
    }

    private sealed class HubStream(HubConnection connection) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _reader = Task.CompletedTask;

        public List<ClusterChange> Changes { get; } = [];

        public void Start() => _reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in connection.StreamAsync<IReadOnlyList<ClusterChange>>("StreamChanges", _stop.Token))
                {
                    lock (Changes) Changes.AddRange(batch);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _reader;
            await connection.DisposeAsync();
            _stop.Dispose();
        }
    }
}
