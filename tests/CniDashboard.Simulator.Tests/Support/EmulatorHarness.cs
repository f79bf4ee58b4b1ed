using System.Security.Cryptography.X509Certificates;
using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Auth;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Simulator.Tests.Support;

/// <summary>
/// One emulator on a real loopback port, plus KubernetesClient instances built the way the product
/// builds them: from a kubeconfig file the emulator wrote.
/// </summary>
internal sealed class EmulatorHarness : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kubeapi-emulator-").FullName;
    private readonly List<IDisposable> _clients = [];

    private readonly ILoggerFactory _loggerFactory;

    private EmulatorHarness(KubeApiEmulator emulator, FakeTimeProvider? time, ILoggerFactory loggerFactory)
    {
        Emulator = emulator;
        Time = time;
        _loggerFactory = loggerFactory;
    }

    public KubeApiEmulator Emulator { get; }

    public ClusterState Cluster => Emulator.Cluster;

    /// <summary>The fake clock, when the harness was started with one.</summary>
    public FakeTimeProvider? Time { get; }

    public static async Task<EmulatorHarness> StartAsync(
        bool fakeTime = false,
        int watchHistoryCapacity = 20_000,
        bool runDaemonSetController = true,
        TimeSpan? bookmarkInterval = null)
    {
        var time = fakeTime ? new FakeTimeProvider(new DateTimeOffset(2025, 3, 14, 9, 0, 0, TimeSpan.Zero)) : null;
        var loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(new TestOutputLoggerProvider(TestContext.Current.TestOutputHelper)));
        var emulator = await KubeApiEmulator.StartAsync(
            new KubeApiEmulatorOptions
            {
                TimeProvider = (TimeProvider?)time ?? TimeProvider.System,
                WatchHistoryCapacity = watchHistoryCapacity,
                RunDaemonSetController = runDaemonSetController,
                BookmarkInterval = bookmarkInterval ?? TimeSpan.FromMinutes(1),
                LoggerFactory = loggerFactory,
            },
            TestContext.Current.CancellationToken);
        return new EmulatorHarness(emulator, time, loggerFactory);
    }

    /// <summary>A client as the dashboard's ServiceAccount, read from a kubeconfig file.</summary>
    public Kubernetes DashboardClient() => ClientWithToken(Emulator.IssueToken(KubeIdentities.DashboardServiceAccount));

    /// <summary>A client as the node agent's ServiceAccount.</summary>
    public Kubernetes AgentClient() => ClientWithToken(Emulator.IssueToken(KubeIdentities.AgentServiceAccount));

    public Kubernetes AdminClient() => ClientWithToken(Emulator.AdminToken);

    public Kubernetes ClientWithToken(string token) => ClientWithHandlers(token);

    /// <summary>A client with <paramref name="handlers"/> in its pipeline (as the product adds its own, e.g. for headers).</summary>
    public Kubernetes ClientWithHandlers(string token, params DelegatingHandler[] handlers)
    {
        var path = Emulator.WriteKubeconfig(Path.Combine(_directory, $"kubeconfig-{_clients.Count}"), token);
        var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(path), handlers);
        _clients.Add(client);
        return client;
    }

    public Kubernetes AnonymousClient()
    {
        var client = new Kubernetes(new KubernetesClientConfiguration { Host = Emulator.BaseAddress.GetLeftPart(UriPartial.Authority), SslCaCerts = [Emulator.CaCertificate] });
        _clients.Add(client);
        return client;
    }

    /// <summary>A raw HTTP client for the API that trusts the emulator's cluster CA (and nothing else).</summary>
    public HttpClient HttpClient()
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(Emulator.CaCertificate);
        var http = new HttpClient(new SocketsHttpHandler { SslOptions = { CertificateChainPolicy = policy } }) { BaseAddress = Emulator.BaseAddress };
        _clients.Add(http);
        return http;
    }

    /// <summary>Waits, with a deadline, until the DaemonSet controller has acted on every change so far.</summary>
    public Task DaemonSetsSettledAsync() =>
        Emulator.DaemonSets!.WaitForIdleAsync(TestContext.Current.CancellationToken).WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);

    public V1Node AddNode(string name, IDictionary<string, string>? labels = null) =>
        Cluster.Nodes.Create(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labels ?? new Dictionary<string, string>() },
            Spec = new V1NodeSpec(),
        });

    public V1Pod AddPod(string @namespace, string name, string nodeName, IDictionary<string, string>? labels = null)
    {
        Cluster.EnsureNamespace(@namespace);
        return Cluster.Pods.Create(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = @namespace, Labels = labels },
            Spec = new V1PodSpec { NodeName = nodeName, Containers = [new V1Container { Name = "main", Image = "busybox" }] },
        });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Emulator.DisposeAsync();
        _loggerFactory.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
