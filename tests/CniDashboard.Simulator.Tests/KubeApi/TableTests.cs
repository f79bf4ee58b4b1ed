using System.Net.Http.Headers;
using System.Text.Json;
using CniDashboard.Simulator.Tests.Support;
using k8s.Models;

namespace CniDashboard.Simulator.Tests.KubeApi;

/// <summary>Server-side printing: what <c>kubectl get</c> asks for and shows.</summary>
public sealed class TableTests
{
    private const string KubectlAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Kubectl_get_nodes_receives_the_real_servers_columns_with_status_and_cordon()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddNode("ip-10-0-1-1.ec2.internal", new Dictionary<string, string> { ["node-role.kubernetes.io/worker"] = "" });
        harness.AddNode("ip-10-0-1-2.ec2.internal");
        harness.Cluster.Nodes.Update(null, "ip-10-0-1-2.ec2.internal", n => n.Spec.Unschedulable = true);

        using var table = await GetTableAsync(harness, "/api/v1/nodes");

        var root = table.RootElement;
        Assert.Equal("Table", root.GetProperty("kind").GetString());
        Assert.Equal(["Name", "Status", "Roles", "Age", "Version"], root.GetProperty("columnDefinitions").EnumerateArray().Take(5).Select(c => c.GetProperty("name").GetString()));
        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal("worker", rows[0].GetProperty("cells")[2].GetString());
        Assert.EndsWith(",SchedulingDisabled", rows[1].GetProperty("cells")[1].GetString(), StringComparison.Ordinal);
        Assert.Equal("ip-10-0-1-2.ec2.internal", rows[1].GetProperty("object").GetProperty("metadata").GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_pod_stuck_creating_shows_its_waiting_reason_and_node_as_kubectl_prints_it()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddPod("apps", "web-1", "node-a");
        harness.Cluster.SetPodStatus("apps", "web-1", new V1PodStatus
        {
            Phase = "Pending",
            ContainerStatuses = [new V1ContainerStatus { Name = "main", Image = "busybox", ImageID = "", Ready = false, RestartCount = 0, State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } } }],
        });

        using var table = await GetTableAsync(harness, "/api/v1/namespaces/apps/pods?fieldSelector=spec.nodeName%3Dnode-a");

        var cells = Assert.Single(table.RootElement.GetProperty("rows").EnumerateArray()).GetProperty("cells");
        Assert.Equal("web-1", cells[0].GetString());
        Assert.Equal("0/1", cells[1].GetString());
        Assert.Equal("ContainerCreating", cells[2].GetString());
        Assert.Equal("node-a", cells[6].GetString());
    }

    [Fact]
    public async Task Plain_json_is_still_served_to_clients_that_do_not_ask_for_a_table()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddNode("node-a");
        var http = harness.HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", harness.Emulator.AdminToken);

        using var list = JsonDocument.Parse(await http.GetStringAsync("/api/v1/nodes", Ct));

        Assert.Equal("NodeList", list.RootElement.GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(119, "119s")]
    [InlineData(150, "2m30s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600 + 60, "3h1m")]
    [InlineData(9 * 3600, "9h")]
    [InlineData(50 * 3600, "2d2h")]
    [InlineData(10 * 24 * 3600, "10d")]
    public void Ages_read_as_kubectl_prints_them(int seconds, string expected) =>
        Assert.Equal(expected, CniDashboard.Simulator.KubeApi.Http.KubeTable.HumanDuration(TimeSpan.FromSeconds(seconds)));

    private static async Task<JsonDocument> GetTableAsync(EmulatorHarness harness, string path)
    {
        var http = harness.HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", harness.Emulator.AdminToken);
        request.Headers.TryAddWithoutValidation("Accept", KubectlAccept);
        using var response = await http.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
    }
}
