using CniDashboard.Server.Cluster;
using CniDashboard.Server.Options;
using CniDashboard.Server.Tests.Support;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Tests.Startup;

public sealed class StartupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Defaults_are_valid_and_listen_on_loopback()
    {
        var options = new DashboardOptions();

        Assert.True(new DashboardOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal("127.0.0.1", options.ListenAddress);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Poller.Interval);
        Assert.Equal(64, options.Poller.Concurrency);
        Assert.Equal(9440, options.Poller.AgentPort);
        Assert.Equal(TimeSpan.FromDays(90), options.Retention.Keep);
        Assert.Equal(
            ["aws-node/kube-system/k8s-app=aws-node", "cilium/kube-system/k8s-app=cilium", "linkerd-cni/linkerd-cni/k8s-app=linkerd-cni", "istio-cni-node/istio-system/k8s-app=istio-cni-node", "cni-dashboard-agent/cni-dashboard/app.kubernetes.io/name=cni-dashboard-agent"],
            options.Kubernetes.EffectiveComponents.Select(c => $"{c.Name}/{c.Namespace}/{c.Selector}"));
    }

    [Fact]
    public void Per_request_logging_is_off_by_default_and_configuration_can_turn_it_back_on()
    {
        static ILogger RequestLogger(params string[] args)
        {
            var builder = DashboardWebApplication.CreateBuilder(args);
            var loggers = builder.Services.BuildServiceProvider().GetRequiredService<ILoggerFactory>();
            return loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");
        }

        var byDefault = RequestLogger();
        Assert.False(byDefault.IsEnabled(LogLevel.Information));
        Assert.True(byDefault.IsEnabled(LogLevel.Warning));
        Assert.True(RequestLogger("--Logging:LogLevel:Microsoft.AspNetCore=Information").IsEnabled(LogLevel.Information));
    }

    [Theory]
    [InlineData("0.0.0.0", "not loopback")]
    [InlineData("10.0.0.5", "Dashboard:Auth:Mode=oidc")]
    [InlineData("::", "Dashboard:Auth:Mode=proxy")]
    [InlineData("not-an-ip", "not an IP address")]
    public void A_non_loopback_listen_address_without_sign_in_is_refused_naming_the_setting(string address, string expected)
    {
        var result = new DashboardOptionsValidator().Validate(null, new DashboardOptions { ListenAddress = address });

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("localhost")]
    public void Without_sign_in_a_loopback_address_is_fine(string address) =>
        Assert.True(new DashboardOptionsValidator().Validate(null, new DashboardOptions { ListenAddress = address }).Succeeded);

    [Fact]
    public void Nonsense_settings_are_each_named()
    {
        var options = new DashboardOptions
        {
            DataDir = " ",
            Poller = new PollerOptions { Interval = TimeSpan.Zero, Concurrency = 0, AgentPort = 70000 },
            Kubernetes = new KubernetesOptions
            {
                Components = [new CniComponentOptions { Name = "x", Namespace = "", Selector = "a=b" }],
                CiliumConfig = new CiliumConfigOptions { Name = " " },
            },
            Retention = new RetentionOptions { Keep = TimeSpan.FromMinutes(1) },
        };

        var failures = new DashboardOptionsValidator().Validate(null, options).Failures!.ToArray();

        foreach (var key in new[] { "DataDir", "Interval", "Concurrency", "AgentPort", "Components", "IsAgent", "CiliumConfig", "Retention:Keep" })
            Assert.Contains(failures, f => f.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_app_refuses_to_start_on_a_non_loopback_address_without_sign_in_in_one_line_naming_the_setting()
    {
        using var dir = new TempDir();
        await using var k8s = await EmulatedApi.StartAsync();
        var builder = DashboardWebApplication.CreateBuilder(
            ["--kubeconfig", k8s.Kubeconfig, "--data-dir", dir.Path, "--listen", "0.0.0.0", "--port", "0"],
            b => b.Logging.ClearProviders());

        // Refused while building, before anything listens.
        var error = Assert.Throws<OptionsValidationException>(() => DashboardWebApplication.Build(builder));

        var failure = Assert.Single(error.Failures);
        Assert.DoesNotContain('\n', failure);
        Assert.Contains("Dashboard:Auth:Mode", failure, StringComparison.Ordinal);
        Assert.Contains("0.0.0.0", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_kubeconfig_is_a_clear_start_up_error_naming_the_options()
    {
        using var dir = new TempDir();
        var missing = Path.Combine(dir.Path, "nope");

        var error = Assert.Throws<KubernetesConfigurationMissingException>(() =>
            DashboardWebApplication.Build(DashboardWebApplication.CreateBuilder(["--kubeconfig", missing, "--data-dir", dir.Path], b => b.Logging.ClearProviders())));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("--kubeconfig", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_no_configuration_at_all_the_error_names_every_way_to_give_one()
    {
        using var home = new TempDir();

        var error = Assert.Throws<KubernetesConfigurationMissingException>(() => KubernetesConfigLoader.Load(new KubernetesOptions(), _ => null, home.Path, () => false));

        foreach (var option in new[] { "KUBECONFIG", "~/.kube/config", "--kubeconfig", "inside the cluster" })
            Assert.Contains(option, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KUBECONFIG_and_the_home_kubeconfig_are_used_in_that_order()
    {
        using var home = new TempDir();
        await using var k8s = await EmulatedApi.StartAsync();
        Directory.CreateDirectory(Path.Combine(home.Path, ".kube"));
        File.Copy(k8s.Kubeconfig, Path.Combine(home.Path, ".kube", "config"));

        var fromHome = KubernetesConfigLoader.Load(new KubernetesOptions(), _ => null, home.Path, () => false);
        Assert.StartsWith(k8s.Api.BaseAddress.GetLeftPart(UriPartial.Authority), fromHome.Host, StringComparison.Ordinal);

        var error = Assert.Throws<KubernetesConfigurationMissingException>(() =>
            KubernetesConfigLoader.Load(new KubernetesOptions(), v => v == "KUBECONFIG" ? "/nonexistent/config" : null, home.Path, () => false));
        Assert.Contains("KUBECONFIG", error.Message, StringComparison.Ordinal);
    }
}
