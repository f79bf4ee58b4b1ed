using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CniDashboard.Simulator.Tests.Support;
using k8s;

namespace CniDashboard.Simulator.Tests.KubeApi;

public sealed class DiscoveryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Version_is_public_and_the_client_reads_it()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var http = harness.HttpClient();

        var anonymous = await http.GetAsync("/version", Ct);
        var version = await harness.DashboardClient().Version.GetCodeAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(("1", "31"), (version.Major, version.Minor));
        Assert.StartsWith("v1.31.", version.GitVersion, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discovery_lists_the_served_groups_and_resources_to_authenticated_callers()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var http = harness.HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api", Ct)).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", harness.Emulator.IssueToken("cni-dashboard-agent"));

        using var api = JsonDocument.Parse(await http.GetStringAsync("/api", Ct));
        using var groups = JsonDocument.Parse(await http.GetStringAsync("/apis", Ct));
        using var core = JsonDocument.Parse(await http.GetStringAsync("/api/v1", Ct));
        using var coordination = JsonDocument.Parse(await http.GetStringAsync("/apis/coordination.k8s.io/v1", Ct));

        Assert.Equal(["v1"], api.RootElement.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(
            ["apps", "coordination.k8s.io", "authentication.k8s.io"],
            groups.RootElement.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("name").GetString()));
        var coreResources = core.RootElement.GetProperty("resources").EnumerateArray()
            .ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("namespaced").GetBoolean());
        Assert.Equal(
            new Dictionary<string, bool> { ["nodes"] = false, ["nodes/status"] = false, ["pods"] = true, ["pods/status"] = true, ["events"] = true, ["namespaces"] = false, ["namespaces/status"] = false, ["configmaps"] = true },
            coreResources);
        Assert.Equal("Lease", coordination.RootElement.GetProperty("resources")[0].GetProperty("kind").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/apis/batch/v1", Ct)).StatusCode);
    }

    [Fact]
    public async Task The_kubeconfig_points_at_the_emulator_over_https_with_its_ca_and_the_token()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        var path = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}");
        try
        {
            harness.Emulator.WriteKubeconfig(path, "token-value", "cni-dashboard");

            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);

            Assert.Equal(harness.Emulator.BaseAddress.GetLeftPart(UriPartial.Authority), config.Host.TrimEnd('/'));
            Assert.StartsWith("https://127.0.0.1:", config.Host, StringComparison.Ordinal);
            Assert.Equal(harness.Emulator.CaCertificate.Thumbprint, Assert.Single(config.SslCaCerts).Thumbprint);
            Assert.False(config.SkipTlsVerify);
            Assert.Equal("token-value", config.AccessToken);
            Assert.Equal("cni-dashboard", config.Namespace);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
