using CniDashboard.Demo;

namespace CniDashboard.Server.Tests.Demo;

/// <summary>The demo executable's command line (the README's one command takes these flags).</summary>
public sealed class DemoOptionsTests
{
    [Fact]
    public void The_demos_flags_are_read_and_the_rest_is_left_for_the_dashboard()
    {
        var options = DemoOptions.Parse(["--demo", "--demo-nodes", "40", "--port=9090", "--idp-port", "9091", "--data-dir", "/tmp/d", "--poll-interval", "00:00:02"]);

        Assert.Equal((40, 9090, 9091, "/tmp/d"), (options.Nodes, options.Port, options.IdentityProviderPort, options.DataDir));
        Assert.Equal(["--poll-interval", "00:00:02"], options.DashboardArgs);
    }

    [Fact]
    public void By_default_the_dashboard_is_on_8080_and_the_sign_in_provider_on_any_free_port()
    {
        var options = DemoOptions.Parse([]);

        Assert.Equal((12, 8080, 0, "./data/demo"), (options.Nodes, options.Port, options.IdentityProviderPort, options.DataDir));
    }

    [Theory]
    [InlineData("--demo-nodes", "0")]
    [InlineData("--port", "70000")]
    [InlineData("--idp-port", "x")]
    public void A_bad_value_is_an_error_naming_the_flag(string flag, string value)
    {
        var error = Assert.Throws<DemoException>(() => DemoOptions.Parse([flag, value]));

        Assert.Contains(flag, error.Message, StringComparison.Ordinal);
    }
}
