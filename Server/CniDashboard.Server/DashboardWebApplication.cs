using System.Net;
using System.Text.Json.Serialization;
using CniDashboard.Server.Api;
using CniDashboard.Server.Auth;
using CniDashboard.Server.Feed;
using CniDashboard.Server.Health;
using CniDashboard.Server.Options;
using CniDashboard.Shared.Security;
using k8s;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server;

/// <summary>
/// The dashboard host, in a class so tests start the real application on Kestrel:
/// <c>var app = DashboardWebApplication.Build(DashboardWebApplication.CreateBuilder(args, b => …))</c>.
/// </summary>
public static class DashboardWebApplication
{
    /// <summary>Command-line switches and the settings they set.</summary>
    public static IReadOnlyDictionary<string, string> SwitchMappings { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--kubeconfig"] = "Dashboard:Kubernetes:Kubeconfig",
        ["--context"] = "Dashboard:Kubernetes:Context",
        ["--data-dir"] = "Dashboard:DataDir",
        ["--listen"] = "Dashboard:ListenAddress",
        ["--port"] = "Dashboard:Port",
        ["--cluster-name"] = "Dashboard:ClusterName",
        ["--cluster-id"] = "Dashboard:Cluster:Id",
        ["--mode"] = "Dashboard:Mode",
        ["--agent-token-file"] = "Dashboard:Poller:AgentTokenFile",
        ["--agent-port"] = "Dashboard:Poller:AgentPort",
        ["--agent-ca-file"] = "Dashboard:Poller:AgentCaFile",
        ["--agent-server-name"] = "Dashboard:Poller:AgentServerName",
        ["--poll-interval"] = "Dashboard:Poller:Interval",
    };

    /// <summary>Log levels that apply unless configuration says otherwise.</summary>
    internal static readonly IReadOnlyDictionary<string, string?> DefaultLogLevels = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
    };

    /// <summary>Creates the builder with every service registered; <paramref name="configure"/> runs last (tests override here).</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        // Lowest-priority defaults: ASP.NET Core's per-request lines stay out of the log unless
        // Logging__LogLevel__Microsoft.AspNetCore (or appsettings) asks for them.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = DefaultLogLevels });
        builder.Configuration.AddCommandLine(args, SwitchMappings.ToDictionary());

        builder.Services.AddCniDashboardBackend(builder.Configuration);
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddSignalR().AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        // The UI (Client): Blazor Server pages over IDashboardQueries and IClusterChangeFeed.
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddCniDashboardUi();
        // Serve the Client's and MudBlazor's static web assets from build output too (dotnet run in
        // any environment, tests); a published app has them in wwwroot and this is a no-op.
        builder.WebHost.UseStaticWebAssets();

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            // Bind exactly where the options say; a non-loopback address without sign-in is refused by validation at start.
            var options = context.Configuration.GetSection(DashboardOptions.Section).Get<DashboardOptions>() ?? new DashboardOptions();
            if (options.ListenAddress == "localhost") kestrel.ListenLocalhost(options.Port);
            else if (IPAddress.TryParse(options.ListenAddress, out var address)) kestrel.Listen(address, options.Port);
            // Probes and scrapes: health and metrics only, on an address of their own.
            if (options.Management.Port is { } port && IPAddress.TryParse(options.Management.ListenAddress, out var management))
                kestrel.Listen(management, port, ManagementListener.Mark);
        });

        configure?.Invoke(builder);
        return builder;
    }

    /// <summary>
    /// Sets up sign-in for the configured mode, builds the application and maps every endpoint, each
    /// with its policy. Throws when the Kubernetes API cannot be configured or a setting is invalid.
    /// </summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        DashboardAuthentication.ConfigureAuthentication(builder);
        var app = builder.Build();
        // Fail at start-up, with the message naming the options, rather than in a background loop.
        app.Services.GetRequiredService<IKubernetes>();

        DashboardAuthentication.UseDashboardSecurity(app);

        app.MapDashboardHealth();
        // A collector (Dashboard:Mode=collector) writes its cluster into the shared store and serves
        // nothing but health and metrics: no UI, no API, no sign-in pages.
        if (app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.Mode == DashboardMode.Collector) return app;

        app.MapOpenApi().RequireAuthorization(DashboardPolicies.View);
        app.MapDashboardAuth();
        app.MapDashboardApi();
        app.MapHub<ClusterHub>(ClusterHub.Path).RequireAuthorization(DashboardPolicies.View);

        // Scripts, styles and icons: nothing in them depends on who asks, and the sign-in pages need them.
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<CniDashboard.Client.Components.App>()
            .AddInteractiveServerRenderMode()
            .RequireAuthorization(DashboardPolicies.View);
        return app;
    }
}
