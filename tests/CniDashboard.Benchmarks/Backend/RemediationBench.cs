using System.Diagnostics;
using System.Globalization;
using System.Net;
using CniDashboard.Benchmarks.Support;
using CniDashboard.Server;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Remediation;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Remediation;
using CniDashboard.Shared.Security;
using CniDashboard.Simulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniDashboard.Benchmarks.Backend;

/// <summary>
/// The engine's own cost: the whole demo fleet (12 simulated nodes) fixed by one plan through the real
/// dashboard in this process — the incident's nodes, then each node the linkerd-cni rollout breaks,
/// joining under a standing approval — timed per node against its verification window. A node's time is
/// prepare + apply + restart + wait + window + release; what is not the window is the engine's overhead
/// (and the simulated pod's restart, which the simulator speeds up by its time scale).
/// </summary>
public static class RemediationBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        int Arg(string name, int fallback) => ScaleCluster.Arg(args, name, fallback);

        var nodeCount = Arg("--nodes", 12);
        var window = TimeSpan.FromSeconds(Arg("--window", 5));
        var c = CultureInfo.InvariantCulture;
        void Log(string line) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");
        var dataDir = Directory.CreateTempSubdirectory("cni-remediation-bench-").FullName;
        try
        {
            await using var cluster = await SimulatedCluster.StartAsync(new SimulationOptions
            {
                DataDir = Path.Combine(dataDir, "simulation"),
                NodeCount = nodeCount,
                AddressBase = IPAddress.Parse("127.18.0.0"),
                TimeScale = 10,
                LoggerFactory = NullLoggerFactory.Instance,
            });
            var builder = DashboardWebApplication.CreateBuilder([], b =>
            {
                var settings = InProcessDashboard.Settings(cluster, Path.Combine(dataDir, "dashboard"));
                settings["Dashboard:Remediation:ObserveInterval"] = "00:00:00.250";
                b.Configuration.AddInMemoryCollection(settings);
                b.Logging.ClearProviders();
                // The dashboard's static asset manifest is named after its own assembly, which this process is not.
                b.Environment.ApplicationName = "cni-dashboard";
            });
            await using var app = DashboardWebApplication.Build(builder);
            await app.StartAsync();

            var fleet = app.Services.GetRequiredService<FleetState>();
            var wait = Stopwatch.StartNew();
            string? rule = null;
            while (rule is null && wait.Elapsed < TimeSpan.FromMinutes(2))
            {
                rule = fleet.All.SelectMany(n => n.Findings).FirstOrDefault(f => f.Severity == Severity.Critical && f.Edit is not null && f.Plugin == "linkerd-cni")?.Rule;
                if (rule is null) await Task.Delay(200);
            }
            if (rule is null) throw new TimeoutException("the incident's finding never showed");
            await Task.Delay(TimeSpan.FromSeconds(6)); // one more poll round: every incident node analysed

            IRemediationService As(AuditActor actor) =>
                ActivatorUtilities.CreateInstance<RemediationService>(app.Services.CreateScope().ServiceProvider, new FixedUser(new AuditCaller(actor, null, null)));
            var author = As(new AuditActor("operator", "operator", [DashboardRole.Operator], "bench"));
            var options = new RemediationOptions { VerificationWindow = window, ReadyTimeout = TimeSpan.FromMinutes(1) };
            var draft = await author.CreateAsync(new PlanDraftRequest { Rule = rule, Plugin = "linkerd-cni", Options = options }, CancellationToken.None);
            var submitted = await author.SubmitAsync(draft.Id, draft.Version, "bench", CancellationToken.None);
            var approved = await As(new AuditActor("approver", "approver", [DashboardRole.Approver], "bench"))
                .ApproveAsync(submitted.Id, submitted.Sha256(), "bench", [.. submitted.Risks.Select(r => r.Id)],
                    new StandingGrant(nodeCount, DateTimeOffset.UtcNow.AddHours(1)), CancellationToken.None);
            Log($"plan {approved.Id}: {approved.Nodes.Count} incident nodes, window {window.TotalSeconds:0} s, standing approval for up to {nodeCount} more");

            // The incident's nodes first; then, as the linkerd-cni rollout reaches each other node and its old
            // pod's cleanup leaves the stale entry, that node joins under the standing approval and is fixed,
            // until the rollout is done and no node shows the finding. Then the standing approval ends.
            var queries = app.Services.GetRequiredService<IDashboardQueries>();
            var run = Stopwatch.StartNew();
            await author.StartAsync(approved.Id, CancellationToken.None);
            RemediationPlan? plan = null;
            TimeSpan? incidentDone = null;
            while (run.Elapsed < TimeSpan.FromMinutes(15))
            {
                plan = await author.GetAsync(approved.Id, CancellationToken.None);
                if (plan!.State is PlanState.Completed or PlanState.Paused) break;
                if (incidentDone is null && approved.Nodes.All(n => plan.NodeNamed(n.Node).Status == NodeStatus.Fixed)) incidentDone = run.Elapsed;
                if (incidentDone is not null && plan.Nodes.All(n => n.Status is NodeStatus.Fixed or NodeStatus.NotNeeded)
                    && (await queries.GetDaemonSetsAsync(CancellationToken.None)).Single(d => d.Name == "linkerd-cni") is { RollingOut: false }
                    && fleet.All.All(n => !n.Findings.Any(f => f.Rule == rule)))
                {
                    await author.ControlAsync(plan.Id, new PlanControl { Kind = PlanControlKind.RevokeStanding }, CancellationToken.None);
                }
                await Task.Delay(100);
            }
            run.Stop();
            if (plan is null || plan.State is not (PlanState.Completed or PlanState.Paused)) throw new InvalidOperationException($"plan ended {plan?.State}: {plan?.PauseDetail}");
            // A pause is a result too (e.g. a joined node's file changed between its admission and its apply): report what was fixed.
            if (plan.State == PlanState.Paused) Log($"PAUSED after {run.Elapsed.TotalSeconds:0.0} s: {plan.PauseDetail}");
            Log($"the {approved.Nodes.Count} incident nodes fixed after {incidentDone?.TotalSeconds:0.0} s; {plan.Nodes.Count(n => n.Admission.ByStandingApproval)} nodes joined under the standing approval");
            // A joined node whose file changed before its apply is proposed again from a newer snapshot (or leaves, no longer needed).
            foreach (var n in plan.Nodes.Where(n => n.Reproposals.Count > 0))
                Log($"  {n.Node}: {n.Status}; proposed again {n.Reproposals.Count} time(s): {string.Join(" | ", n.Reproposals.Select(r => $"{r.Outcome} ({r.File})"))}");

            var windows = TimeSpan.Zero;
            var overheads = new List<double>();
            foreach (var n in plan.Nodes.Where(n => n.Status == NodeStatus.Fixed))
            {
                var total = n.FinishedAt!.Value - n.StartedAt!.Value;
                var w = n.WindowEnd!.Value - n.WindowStart!.Value;
                windows += w;
                overheads.Add((total - w).TotalSeconds);
                Log($"  {n.Node}: {total.TotalSeconds:0.00} s = {(n.WindowStart.Value - n.StartedAt.Value).TotalSeconds:0.00} s before the window (prepare, {n.Edits.Count} applies, restart, ready) + {w.TotalSeconds:0.00} s window + {(n.FinishedAt.Value - n.WindowEnd.Value).TotalSeconds:0.00} s after (last look, release)");
            }
            var inHand = TimeSpan.FromSeconds(plan.Nodes.Where(n => n.Status == NodeStatus.Fixed).Sum(n => (n.FinishedAt!.Value - n.StartedAt!.Value).TotalSeconds));
            Log($"fixed {plan.Nodes.Count(n => n.Status == NodeStatus.Fixed)} of {plan.Nodes.Count} nodes in {run.Elapsed.TotalSeconds:0.0} s; verification windows {windows.TotalSeconds:0.0} s; nodes in hand {inHand.TotalSeconds:0.0} s; "
                + $"engine overhead per node mean {overheads.Average():0.00} s, max {overheads.Max():0.00} s; "
                + $"no node in hand (waiting for the rollout to reach and break the next node, joining, completion) {(run.Elapsed - inHand).TotalSeconds:0.0} s");
            await app.StopAsync();
            return plan.State == PlanState.Completed ? 0 : 2;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private sealed class FixedUser(AuditCaller caller) : ICurrentUser
    {
        public ValueTask<AuditCaller> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(caller);
    }
}
