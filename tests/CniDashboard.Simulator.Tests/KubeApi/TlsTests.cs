using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using CniDashboard.Simulator.Pki;
using CniDashboard.Simulator.Tests.Scenarios;
using CniDashboard.Simulator.Tests.Support;
using k8s;

namespace CniDashboard.Simulator.Tests.KubeApi;

/// <summary>
/// The emulator speaks HTTPS only, like a real API server: client-go and kubectl send no credentials
/// to a plain-HTTP server, and the product's KubernetesClient code verifies the server with the
/// kubeconfig's CA — which only works if the emulator is a TLS server under that CA.
/// </summary>
public sealed class TlsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_client_with_the_kubeconfigs_ca_lists_nodes_and_one_without_it_is_refused_by_tls_validation()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        harness.AddNode("ip-10-0-12-34.us-west-2.compute.internal");
        Assert.Equal("https", harness.Emulator.BaseAddress.Scheme);

        // As the product builds it: from the kubeconfig, which carries certificate-authority-data.
        var withCa = await harness.AdminClient().CoreV1.ListNodeAsync(cancellationToken: Ct);
        Assert.Equal("ip-10-0-12-34.us-west-2.compute.internal", Assert.Single(withCa.Items).Metadata.Name);
        using var fromConfiguration = new Kubernetes(harness.Emulator.ClientConfiguration(harness.Emulator.AdminToken));
        Assert.Single((await fromConfiguration.CoreV1.ListNodeAsync(cancellationToken: Ct)).Items);

        // The same token without the CA (the machine's trust store), and with another cluster's CA.
        using var noCa = new Kubernetes(new KubernetesClientConfiguration { Host = harness.Emulator.BaseAddress.GetLeftPart(UriPartial.Authority), AccessToken = harness.Emulator.AdminToken });
        using var stranger = CertificateAuthority.Create("some other cluster");
        using var otherCa = new Kubernetes(new KubernetesClientConfiguration
        {
            Host = harness.Emulator.BaseAddress.GetLeftPart(UriPartial.Authority),
            AccessToken = harness.Emulator.AdminToken,
            SslCaCerts = [stranger.PublicCertificate],
        });

        foreach (var refusedClient in new[] { noCa, otherCa })
        {
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => refusedClient.CoreV1.ListNodeAsync(cancellationToken: Ct));
            Assert.IsType<AuthenticationException>(refused.InnerException);
        }
    }

    [Fact]
    public async Task Plain_http_gets_no_answer()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{harness.Emulator.BaseAddress.Port}/") };
        plain.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", harness.Emulator.AdminToken);

        var refused = await Record.ExceptionAsync(() => plain.GetAsync("api/v1/nodes", Ct));

        Assert.IsType<HttpRequestException>(refused);
    }

    [Fact]
    public async Task The_server_certificate_names_the_loopback_address_and_localhost_and_chains_to_the_cluster_ca()
    {
        await using var harness = await EmulatorHarness.StartAsync(runDaemonSetController: false);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, harness.Emulator.BaseAddress.Port, Ct);
        X509Certificate2? shown = null;
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) =>
        {
            shown = X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
            return true;
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, Ct);
        using var served = shown!;

        Assert.True(served.MatchesHostname("127.0.0.1"));
        Assert.True(served.MatchesHostname("localhost"));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(harness.Emulator.CaCertificate);
        Assert.True(chain.Build(served), string.Join(", ", chain.ChainStatus.Select(s => s.Status)));
        Assert.False(harness.Emulator.CaCertificate.HasPrivateKey);
    }

    [Fact]
    public async Task A_restarted_cluster_keeps_its_cas_and_its_kubeconfigs_trust_the_new_server_certificate()
    {
        await using var sim = await SimulationHarness.StartAsync(nodes: 2);
        var clusterCa = File.ReadAllText(sim.Cluster.ClusterCaFile);
        var agentCa = File.ReadAllText(sim.Cluster.AgentCaFile);
        var keyFile = Path.Combine(Path.GetDirectoryName(sim.Cluster.ClusterCaFile)!, "ca.key");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        await sim.RestartAsync();

        Assert.Equal(clusterCa, File.ReadAllText(sim.Cluster.ClusterCaFile));
        Assert.Equal(agentCa, File.ReadAllText(sim.Cluster.AgentCaFile));
        foreach (var kubeconfig in new[] { sim.Cluster.KubeconfigPath, sim.Cluster.AdminKubeconfigPath })
        {
            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            Assert.Equal(2, (await client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Items.Count);
        }
    }
}
