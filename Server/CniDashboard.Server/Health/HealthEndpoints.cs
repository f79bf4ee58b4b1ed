using System.Globalization;
using System.Text;
using CniDashboard.Server.Analysis;
using CniDashboard.Server.Cluster;
using CniDashboard.Server.Feed;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Leadership;
using CniDashboard.Server.Polling;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CniDashboard.Server.Health;

/// <summary><c>/healthz</c> (alive), <c>/readyz</c> (store open, watches synced), <c>/metrics</c> (Prometheus text).</summary>
public static class HealthEndpoints
{
    /// <summary>Maps the three endpoints.</summary>
    public static IEndpointRouteBuilder MapDashboardHealth(this IEndpointRouteBuilder app)
    {
        // Public: the kubelet's probes and Prometheus carry no identity, and none of this names a node or a person.
        app.MapGet("/healthz", () => TypedResults.Text("ok")).ExcludeFromDescription().AllowAnonymous();

        // Ready = store open and every watch listed once; a watch reconnecting is Degraded (still 200).
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReportAsync,
        }).AllowAnonymous();

        app.MapGet("/metrics", (FleetState fleet, WatchHealthRegistry watches, PollerStatus poller, ClusterChangeFeed feed, SandboxActivity sandbox, NodeAnalysisService analysis, ReplicaLeadership leadership) =>
        {
            var text = new StringBuilder();
            void Metric(string name, string type, string help, IEnumerable<(string Labels, double Value)> samples)
            {
                text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
                text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
                foreach (var (labels, value) in samples)
                    text.Append(name).Append(labels).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            var nodes = fleet.All.ToArray();
            Metric("cni_dashboard_nodes", "gauge", "Nodes by agent state.",
                Enum.GetValues<AgentState>().Select(s => ($"{{state=\"{s.ToString().ToLowerInvariant()}\"}}", (double)nodes.Count(n => n.Agent.State == s))));
            Metric("cni_dashboard_nodes_worst_severity", "gauge", "Nodes by their worst open finding.",
                Enum.GetValues<Severity>().Select(s => ($"{{severity=\"{s.ToString().ToLowerInvariant()}\"}}", (double)nodes.Count(n => n.Worst?.Severity == s))));
            Metric("cni_dashboard_watch_up", "gauge", "1 while a Kubernetes watch is connected.",
                watches.Snapshot().Select(w => ($"{{watch=\"{w.Resource}\"}}", w.Healthy ? 1d : 0d)));
            Metric("cni_dashboard_poll_rounds_total", "counter", "Agent poll rounds finished.", [("", poller.Rounds)]);
            Metric("cni_dashboard_poll_round_seconds", "gauge", "Duration of the last poll round.", [("", poller.Last?.Duration.TotalSeconds ?? 0)]);
            Metric("cni_dashboard_poll_failed_nodes", "gauge", "Nodes whose agent failed in the last round.", [("", poller.Last?.Failed ?? 0)]);
            Metric("cni_dashboard_poll_changed_nodes", "gauge", "Nodes whose snapshot changed (stored) in the last round.", [("", poller.Last?.Changed ?? 0)]);
            Metric("cni_dashboard_poll_unchanged_nodes", "gauge", "Nodes whose agent answered 304 (or an unchanged hash) in the last round.", [("", poller.Last?.Unchanged ?? 0)]);
            Metric("cni_dashboard_analyses_total", "counter", "Node analyses run.", [("", analysis.Runs)]);
            Metric("cni_dashboard_sandbox_errors_last_hour", "gauge", "FailedCreatePodSandBox failures in the last hour.", [("", sandbox.Total())]);
            Metric("cni_dashboard_leader", "gauge", "1 while this replica leads (always 1 on SQLite, where one replica runs).", [("", leadership.IsLeader ? 1 : 0)]);
            Metric("cni_dashboard_feed_subscribers", "gauge", "Live change-feed subscriptions.", [("", feed.SubscriberCount)]);
            var gc = GC.GetGCMemoryInfo();
            Metric("cni_dashboard_gc_heap_bytes", "gauge", "Managed heap size after the last GC.", [("", gc.HeapSizeBytes)]);
            Metric("cni_dashboard_gc_committed_bytes", "gauge", "Memory committed by the GC.", [("", gc.TotalCommittedBytes)]);
            Metric("cni_dashboard_process_working_set_bytes", "gauge", "Resident memory of the process.", [("", Environment.WorkingSet)]);
            return TypedResults.Text(text.ToString(), "text/plain; version=0.0.4; charset=utf-8");
        }).ExcludeFromDescription().AllowAnonymous();

        return app;
    }

    /// <summary>The tag of the checks behind <c>/readyz</c>.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Registers the store and watch checks.</summary>
    public static IServiceCollection AddDashboardHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", tags: [ReadyTag])
            .AddCheck<WatchHealthCheck>("watches", tags: [ReadyTag])
            .AddCheck<LeadershipHealthCheck>("leadership", tags: [ReadyTag]);
        return services;
    }

    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        };
        return context.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(body));
    }
}
