using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CniDashboard.Server.Api;
using CniDashboard.Server.Tests.Support;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Simulator.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace CniDashboard.Server.Tests.Api;

/// <summary>The REST API of the real app over HTTP, against the simulated cluster.</summary>
public sealed class RestApiTests(SimulatedDashboard dashboard) : IClassFixture<SimulatedDashboard>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> FirstNodeAsync()
    {
        var page = await Eventually.WaitAsync(async () =>
        {
            var p = await dashboard.GetJsonAsync<NodePage>("api/v1/nodes?sort=Name&desc=false&limit=500");
            return p?.Items.Count(n => n.PrimaryFile is not null) == 12 ? p : null;
        }, "every node polled", TimeSpan.FromSeconds(30));
        return page.Items[0].Name;
    }

    [Theory]
    [InlineData("api/v1/nodes?severity=Sever", "severity")]
    [InlineData("api/v1/nodes?limit=0", "limit")]
    [InlineData("api/v1/nodes?limit=abc", "limit")]
    [InlineData("api/v1/nodes?stale=maybe", "stale")]
    [InlineData("api/v1/nodes?sort=Height", "sort")]
    [InlineData("api/v1/sandbox-errors?window=5x", "window")]
    [InlineData("api/v1/sandbox-errors?window=900d", "window")]
    [InlineData("api/v1/sandbox-errors?errorClass=Nope", "errorClass")]
    [InlineData("api/v1/sandbox-errors?groupBy=3", "groupBy")]
    [InlineData("api/v1/diff?left=latest:a", "right")]
    [InlineData("api/v1/diff?left=yesterday&right=latest:a", "left")]
    [InlineData("api/v1/diff?left=snapshot:a:x&right=latest:a", "left")]
    [InlineData("api/v1/findings?severity=Worst", "severity")]
    public async Task Bad_parameters_are_400_problem_details_naming_the_parameter(string path, string parameter)
    {
        using var response = await dashboard.Http.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<ProblemDetails>(await response.Content.ReadAsStringAsync(Ct), SimulatedDashboard.Json);
        Assert.Contains($"'{parameter}'", problem!.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api/v1/nodes/no-such-node")]
    [InlineData("api/v1/nodes/no-such-node/snapshots")]
    [InlineData("api/v1/nodes/no-such-node/findings")]
    [InlineData("api/v1/nodes/no-such-node/diff")]
    [InlineData("api/v1/nodes/no-such-node/snapshots/1/files/10-aws.conflist")]
    public async Task Unknown_nodes_are_404_problem_details(string path)
    {
        using var response = await dashboard.Http.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no-such-node", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_known_node_with_an_unknown_snapshot_or_file_is_404_and_a_path_in_the_file_name_is_refused()
    {
        var node = await FirstNodeAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await dashboard.Http.GetAsync($"api/v1/nodes/{node}/snapshots/999999", Ct)).StatusCode);
        var history = await dashboard.GetJsonAsync<SnapshotHistory>($"api/v1/nodes/{node}/snapshots");
        var id = history!.Snapshots[0].Id;
        Assert.Equal(HttpStatusCode.NotFound, (await dashboard.Http.GetAsync($"api/v1/nodes/{node}/snapshots/{id}/files/nope.conf", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await dashboard.Http.GetAsync($"api/v1/nodes/{node}/snapshots/{id}/files/a%01b", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await dashboard.Http.GetAsync($"api/v1/nodes/{node}/diff?file=..%2F..%2Fetc%2Fpasswd", Ct)).StatusCode);

        var file = await dashboard.GetJsonAsync<Shared.Cni.CniFolderFile>($"api/v1/nodes/{node}/snapshots/{id}/files/ZZZ-linkerd-cni-kubeconfig");
        Assert.NotNull(file?.Kubeconfig?.Token?.PodName);
        Assert.Contains("<redacted sha256:", file!.Content, StringComparison.Ordinal);
        Assert.True(Shared.Kubeconfig.TokenRedactor.ContainsNoJwt(file.Content!));
    }

    [Fact]
    public async Task Nodes_filter_page_and_sort()
    {
        await FirstNodeAsync();
        var group = dashboard.Cluster.Nodes[0].NodeGroup;
        var facets = await dashboard.GetJsonAsync<NodeFacets>("api/v1/nodes/facets");
        Assert.Contains(group, facets!.NodeGroups);

        var byName = await dashboard.GetJsonAsync<NodePage>("api/v1/nodes?sort=Name&desc=false&offset=2&limit=3");
        var all = await dashboard.GetJsonAsync<NodePage>("api/v1/nodes?sort=Name&desc=false&limit=500");
        Assert.Equal(12, byName!.Total);
        Assert.Equal(all!.Items.Skip(2).Take(3).Select(n => n.Name), byName.Items.Select(n => n.Name));

        var inGroup = await dashboard.GetJsonAsync<NodePage>($"api/v1/nodes?nodeGroup={Uri.EscapeDataString(group)}&limit=500");
        Assert.Equal(dashboard.Cluster.Nodes.Count(n => n.NodeGroup == group), inGroup!.Total);
        var searched = await dashboard.GetJsonAsync<NodePage>($"api/v1/nodes?search={all.Items[5].Name}");
        Assert.Equal(all.Items[5].Name, Assert.Single(searched!.Items).Name);
        var stale = await dashboard.GetJsonAsync<NodePage>("api/v1/nodes?stale=true");
        Assert.Equal(0, stale!.Total);
        var drift = dashboard.Cluster.NodesWithRole(NodeRole.Drift).First().Name;
        var backup = await Eventually.WaitAsync(async () =>
        {
            var detail = await dashboard.GetJsonAsync<NodeDetail>($"api/v1/nodes/{drift}");
            return detail?.Findings.FirstOrDefault(f => f.File?.EndsWith(".cilium_bak", StringComparison.Ordinal) == true);
        }, "a finding on the leftover backup", TimeSpan.FromSeconds(30));
        var byRule = await dashboard.GetJsonAsync<NodePage>($"api/v1/nodes?rule={backup.Rule}&limit=500");
        Assert.Contains(drift, byRule!.Items.Select(n => n.Name));
    }

    [Fact]
    public async Task Overview_status_daemonsets_findings_sandbox_errors_and_baseline_diff_answer()
    {
        var node = await FirstNodeAsync();
        var status = await dashboard.GetJsonAsync<ConnectionStatus>("api/v1/status");
        Assert.Equal("simulated", status!.ClusterName);
        Assert.NotEmpty(status.Watches);
        await Eventually.WaitAsync(async () => (await dashboard.GetJsonAsync<ConnectionStatus>("api/v1/status"))!.LastPollAt is not null, "a poll");

        var overview = await dashboard.GetJsonAsync<ClusterOverview>("api/v1/overview");
        Assert.Equal(12, overview!.Health.Total);
        Assert.NotEmpty(overview.RecentChanges);

        var daemonSets = await dashboard.GetJsonAsync<DaemonSetStatus[]>("api/v1/daemonsets");
        Assert.Contains(daemonSets!, d => d.Name == "linkerd-cni");

        var errors = await dashboard.GetJsonAsync<SandboxErrorReport>("api/v1/sandbox-errors?window=1h&groupBy=Node&stackBy=ErrorClass");
        Assert.Equal(60, errors!.Timeline.Count);
        Assert.Equal(errors.Total, errors.Groups.Sum(g => g.Count));

        var group = dashboard.Cluster.Node(node).NodeGroup;
        var diff = await dashboard.GetJsonAsync<FolderDiff>($"api/v1/diff?left=baseline:{Uri.EscapeDataString(group)}&right=latest:{node}");
        Assert.Null(diff!.Unavailable);
        // Every node's kubeconfig holds its own token: the baseline has none, and says so rather than showing one node's.
        Assert.Matches($@"^baseline of {Regex.Escape(group)} \(\d+ of \d+ nodes; no baseline for ZZZ-linkerd-cni-kubeconfig\)$", diff.LeftLabel);
        Assert.Contains(diff.Files, f => f.File == "05-cilium.conflist" && f.Status != FileDiffStatus.NotCompared);
        var kubeconfig = Assert.Single(diff.Files, f => f.File == "ZZZ-linkerd-cni-kubeconfig");
        Assert.Equal(FileDiffStatus.NotCompared, kubeconfig.Status);
        Assert.StartsWith($"varies on every node of {group} (", kubeconfig.Note, StringComparison.Ordinal);
        Assert.Empty(kubeconfig.Text.Rows);

        var nodeDiff = await dashboard.GetJsonAsync<FolderDiff>($"api/v1/diff?left=latest:{node}&right=latest:{node}");
        Assert.All(nodeDiff!.Files, f => Assert.Equal(FileDiffStatus.Unchanged, f.Status));
    }

    /// <summary>
    /// <c>/findings?severity=</c> is a minimum: each value keeps exactly the findings at or above it, and
    /// (the simulated cluster has critical and warning findings) is never empty, so a filter that dropped
    /// everything, or nothing, fails here.
    /// </summary>
    [Theory]
    [InlineData(Severity.Info)]
    [InlineData(Severity.Warning)]
    [InlineData(Severity.Critical)]
    public async Task Findings_are_filtered_by_minimum_severity(Severity minimum)
    {
        await FirstNodeAsync();
        static string Key(NodeFinding f) => $"{f.Node} {f.Finding.Key}";

        // Analysis is live: compare a filtered answer with the unfiltered one read around it until both agree.
        var (all, filtered) = await Eventually.WaitAsync<Tuple<NodeFinding[], NodeFinding[]>>(async () =>
        {
            var before = await dashboard.GetJsonAsync<NodeFinding[]>("api/v1/findings") ?? [];
            var only = await dashboard.GetJsonAsync<NodeFinding[]>($"api/v1/findings?severity={minimum}") ?? [];
            var after = await dashboard.GetJsonAsync<NodeFinding[]>("api/v1/findings") ?? [];
            var stable = before.Select(Key).SequenceEqual(after.Select(Key));
            var complete = before.Any(f => f.Finding.Severity == Severity.Critical) && before.Any(f => f.Finding.Severity == Severity.Warning);
            return stable && complete ? Tuple.Create(before, only) : null;
        }, "a settled list of findings with critical and warning ones", TimeSpan.FromSeconds(60));

        Assert.NotEmpty(filtered);
        Assert.Equal(all.Where(f => f.Finding.Severity >= minimum).Select(Key), filtered.Select(Key));
        Assert.Contains(filtered, f => f.Finding.Severity == Severity.Critical);
        if (all.Any(f => f.Finding.Severity < minimum)) Assert.True(filtered.Length < all.Length, $"severity={minimum} removed nothing");
        if (minimum == Severity.Critical) Assert.DoesNotContain(filtered, f => f.Finding.Severity == Severity.Warning);
    }

    /// <summary><c>/nodes?severity=</c> is the node's worst finding, exactly: the three values and the healthy filter partition the fleet.</summary>
    [Fact]
    public async Task Nodes_are_filtered_by_their_worst_severity_for_every_value()
    {
        await FirstNodeAsync();
        var incident = dashboard.Cluster.NodesWithRole(NodeRole.Incident).Select(n => n.Name).Order(StringComparer.Ordinal).ToArray();

        var pages = await Eventually.WaitAsync<SeverityPages>(async () =>
        {
            var all = (await dashboard.GetJsonAsync<NodePage>("api/v1/nodes?sort=Name&desc=false&limit=500"))!;
            var bySeverity = new Dictionary<string, NodePage>(StringComparer.Ordinal);
            foreach (var value in new[] { "Critical", "Warning", "Info" })
                bySeverity[value] = (await dashboard.GetJsonAsync<NodePage>($"api/v1/nodes?severity={value}&sort=Name&desc=false&limit=500"))!;
            var healthy = (await dashboard.GetJsonAsync<NodePage>("api/v1/nodes?healthy=true&sort=Name&desc=false&limit=500"))!;
            var again = (await dashboard.GetJsonAsync<NodePage>("api/v1/nodes?sort=Name&desc=false&limit=500"))!;
            var settled = all.Items.Select(n => (n.Name, n.WorstSeverity)).SequenceEqual(again.Items.Select(n => (n.Name, n.WorstSeverity)));
            return settled && bySeverity["Warning"].Total > 0 ? new SeverityPages(all, bySeverity, healthy) : null;
        }, "a settled fleet with a warning node", TimeSpan.FromSeconds(60));

        Assert.Equal(incident, pages.BySeverity["Critical"].Items.Select(n => n.Name));
        foreach (var (value, page) in pages.BySeverity)
        {
            var expected = pages.All.Items.Where(n => n.WorstSeverity?.ToString() == value).Select(n => n.Name).ToArray();
            Assert.Equal(expected, page.Items.Select(n => n.Name));
            Assert.Equal(expected.Length, page.Total);
        }

        Assert.NotEmpty(pages.BySeverity["Warning"].Items);
        Assert.Equal(pages.All.Items.Where(n => n.WorstSeverity is null or Severity.Info).Select(n => n.Name), pages.Healthy.Items.Select(n => n.Name));
        Assert.Equal(pages.All.Total, pages.BySeverity["Critical"].Total + pages.BySeverity["Warning"].Total + pages.Healthy.Total);
    }

    private sealed record SeverityPages(NodePage All, Dictionary<string, NodePage> BySeverity, NodePage Healthy);

    [Fact]
    public async Task OpenApi_health_readiness_and_metrics_are_served()
    {
        await FirstNodeAsync();
        var openApi = await dashboard.Http.GetStringAsync("openapi/v1.json", Ct);
        using var doc = JsonDocument.Parse(openApi);
        var paths = doc.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/nodes", "/api/v1/nodes/{name}", "/api/v1/nodes/{name}/snapshots", "/api/v1/diff", "/api/v1/sandbox-errors", "/api/v1/daemonsets" })
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI lacks {path}");

        Assert.Equal("ok", await dashboard.Http.GetStringAsync("healthz", Ct));
        await Eventually.WaitAsync(async () => (await dashboard.Http.GetAsync("readyz", Ct)).StatusCode == HttpStatusCode.OK, "readiness");
        var ready = await dashboard.Http.GetStringAsync("readyz", Ct);
        Assert.Contains("\"name\":\"store\"", ready, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"watches\"", ready, StringComparison.Ordinal);
        Assert.Contains("nodes", ready, StringComparison.Ordinal);

        // The UI is hosted by the same app.
        using var page = await dashboard.Http.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("CNI Dashboard", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var metrics = await dashboard.Http.GetStringAsync("metrics", Ct);
        Assert.Contains("cni_dashboard_nodes{state=\"current\"} 12", metrics, StringComparison.Ordinal);
        Assert.Contains("cni_dashboard_watch_up{watch=\"nodes\"} 1", metrics, StringComparison.Ordinal);
    }
}
