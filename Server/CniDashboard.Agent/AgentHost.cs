using CniDashboard.Agent.Announce;
using CniDashboard.Agent.Auth;
using CniDashboard.Agent.Configuration;
using CniDashboard.Agent.Http;
using CniDashboard.Agent.Logging;
using CniDashboard.Agent.Node;
using CniDashboard.Agent.Tls;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CniDashboard.Agent;

/// <summary>Builds and runs the agent's web host for one real node.</summary>
public static class AgentHost
{
    /// <summary>Exit code for a configuration the agent refuses to run with.</summary>
    public const int ConfigErrorExitCode = 2;

    /// <summary>Runs until shutdown; returns the process exit code.</summary>
    public static Task<int> RunAsync(string[] args) =>
        RunAsync(args, Environment.GetEnvironmentVariable, Console.Error, CancellationToken.None);

    /// <summary>Runs with explicit environment and error output (tests); returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, Func<string, string?> environment, TextWriter stderr, CancellationToken cancellationToken) =>
        RunAsync(args, environment, stderr, AtomicWriteHooks.None, cancellationToken);

    /// <summary>
    /// Runs with fault-injection seams in every write (a test build's host, e.g. one a crash test
    /// kills mid-write); the shipped agent passes none, and no flag or variable sets them.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, Func<string, string?> environment, TextWriter stderr, AtomicWriteHooks writeHooks, CancellationToken cancellationToken)
    {
        var settings = AgentSettings.Parse(args, environment, out var error);
        if (error is not null)
        {
            await stderr.WriteLineAsync($"cni-dashboard-agent: {error}");
            return ConfigErrorExitCode;
        }

        WebApplication app;
        try
        {
            app = Build(settings, writeHooks: writeHooks);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            await stderr.WriteLineAsync($"cni-dashboard-agent: {ex.Message}");
            return ConfigErrorExitCode;
        }

        await using (app)
        {
            try
            {
                await app.RunAsync(cancellationToken);
            }
            catch (IOException ex)
            {
                // Kestrel could not bind (address in use, no such address): one line, not a stack trace.
                await stderr.WriteLineAsync($"cni-dashboard-agent: cannot listen on {settings.Listen}: {ex.Message}");
                return 1;
            }
        }
        return 0;
    }

    /// <summary>
    /// Builds the host for checked settings: one <see cref="NodeAgent"/>, the chosen authenticator,
    /// Kestrel on <see cref="AgentSettings.Listen"/> (TLS when <see cref="AgentSettings.TlsCertFile"/>
    /// is set; the pair is read here, so an unusable one stops the start). Tests pass a logging hook, a
    /// clock and write hooks.
    /// </summary>
    public static WebApplication Build(AgentSettings settings, Action<ILoggingBuilder>? configureLogging = null, TimeProvider? time = null, AtomicWriteHooks? writeHooks = null)
    {
        time ??= TimeProvider.System;
        // The empty builder, not the slim one: no appsettings files (and no watcher thread on the
        // content root), no environment configuration, no console logger — the agent is configured
        // by flags alone, and every type it does not compile in is memory it does not hold on a node.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = AgentEndpoints.MaxRequestBodyBytes;
            kestrel.Listen(settings.Listen, listen =>
            {
                if (settings.ServesTls) listen.UseAgentTls(kestrel.ApplicationServices.GetRequiredService<ServingCertificate>());
            });
        });
        builder.Services.AddRoutingCore();

        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        if (configureLogging is null)
        {
            // One JSON object per line: every write is one structured, greppable record.
            builder.Logging.AddProvider(new JsonLineLoggerProvider(Console.OpenStandardOutput(), time));
        }
        else
        {
            configureLogging(builder.Logging);
        }

        var nodeOptions = new NodeAgentOptions
        {
            NodeName = settings.NodeName,
            CniDir = settings.CniDir,
            HostCniDir = settings.HostCniDir,
            BinDir = settings.BinDir,
            BackupDir = settings.BackupDir,
            WatchFolder = settings.Watch,
            RescanInterval = settings.RescanInterval,
            MaxBackups = settings.MaxBackups,
            MaxPinnedBackups = settings.MaxPinnedBackups,
            MaxBackupAge = settings.MaxBackupAge,
            WriteHooks = writeHooks ?? AtomicWriteHooks.None,
        };
        builder.Services.AddSingleton(time);
        if (settings.ServesTls)
        {
            builder.Services.AddSingleton(sp => ServingCertificate.Load(settings.TlsCertFile!, settings.TlsKeyFile!, time, sp.GetRequiredService<ILogger<ServingCertificate>>()));
        }
        builder.Services.AddSingleton(sp => new NodeAgent(nodeOptions, time, sp.GetRequiredService<ILogger<NodeAgent>>()));
        builder.Services.AddSingleton<IAgentAuthenticator>(sp => settings.AuthMode switch
        {
            AgentAuthMode.Static => StaticTokenAuthenticator.FromFile(settings.TokenFile!),
            AgentAuthMode.TokenReview => new TokenReviewAuthenticator(
                new TokenReviewOptions
                {
                    ApiServer = settings.KubeApi!,
                    CaFile = settings.KubeCa,
                    TokenFile = settings.KubeTokenFile,
                    Audience = settings.Audience,
                    AllowedUsernames = settings.AllowedUsernames,
                },
                time,
                sp.GetRequiredService<ILogger<TokenReviewAuthenticator>>()),
            _ => throw new ArgumentException("no auth mode: the agent never runs unauthenticated"),
        });

        if (settings.Announce)
        {
            builder.Services.AddSingleton(sp => new PodAnnotationWriter(
                new PodAnnotationTarget
                {
                    ApiServer = settings.KubeApi!,
                    CaFile = settings.KubeCa,
                    TokenFile = settings.KubeTokenFile,
                    PodNamespace = settings.PodNamespace!,
                    PodName = settings.PodName!,
                },
                time));
            builder.Services.AddSingleton(sp =>
            {
                var node = sp.GetRequiredService<NodeAgent>();
                return new ManifestAnnouncer(
                    new ManifestAnnouncerOptions { NodeName = settings.NodeName },
                    async ct => (await node.GetSnapshotAsync(ct)).Snapshot.ManifestHash,
                    sp.GetRequiredService<PodAnnotationWriter>(),
                    time,
                    sp.GetRequiredService<ILogger<ManifestAnnouncer>>());
            });
        }

        var app = builder.Build();
        // Read the certificate now: a missing key or a mismatched pair is a configuration error, not a failed handshake later.
        var tls = app.Services.GetService<ServingCertificate>();
        var node = app.Services.GetRequiredService<NodeAgent>();
        var authenticator = app.Services.GetRequiredService<IAgentAuthenticator>();
        app.MapAgentEndpoints(new SingleNodeResolver(node), authenticator);

        // Announcements run on timers beside the server: a slow or refusing API server never holds a request.
        if (app.Services.GetService<ManifestAnnouncer>() is { } announcer)
        {
            node.Invalidated += announcer.Changed;
            app.Lifetime.ApplicationStarted.Register(announcer.Start);
        }

        var logger = app.Services.GetRequiredService<ILogger<NodeAgent>>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            AgentLog.Started(logger, AgentInfo.Version, settings.NodeName, settings.HostCniDir, authenticator.Mode, string.Join(", ", ListeningAddresses(app)));
            if (tls is null) AgentLog.ServingPlainHttp(logger);
            else AgentLog.ServingTls(logger, ServingCertificate.Describe(tls.Certificate));
        });
        return app;
    }

    /// <summary>The addresses Kestrel is bound to (after start), e.g. <c>https://127.0.0.1:43121</c>.</summary>
    public static IReadOnlyList<string> ListeningAddresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
}
