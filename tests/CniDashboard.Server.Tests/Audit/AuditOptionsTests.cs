using System.Security.Cryptography;
using CniDashboard.Server.Audit;
using CniDashboard.Server.Options;
using CniDashboard.Server.Tests.Support;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Tests.Audit;

public sealed class AuditOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_a_five_minute_checkpoint_on_the_charts_configmap_with_a_key_in_the_data_dir()
    {
        var options = new DashboardOptions();

        Assert.True(new AuditOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal((true, TimeSpan.FromMinutes(5), "cni-dashboard", "cni-dashboard-audit-checkpoint", (string?)null),
            (options.Audit.Checkpoint.Enabled, options.Audit.Checkpoint.Interval, options.Audit.Checkpoint.Namespace, options.Audit.Checkpoint.ConfigMapName, options.Audit.Checkpoint.KeyFile));
    }

    [Fact]
    public void Bad_checkpoint_settings_are_each_named()
    {
        using var dir = new TempDir();
        var notAKey = Path.Combine(dir.Path, "not-a-key.pem");
        File.WriteAllText(notAKey, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        var rsa = Path.Combine(dir.Path, "rsa.pem");
        using (var key = RSA.Create(2048)) File.WriteAllText(rsa, key.ExportPkcs8PrivateKeyPem());
        var p384 = Path.Combine(dir.Path, "p384.pem");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP384)) File.WriteAllText(p384, key.ExportPkcs8PrivateKeyPem());

        string Failure(Action<AuditCheckpointOptions> change)
        {
            var options = new DashboardOptions();
            change(options.Audit.Checkpoint);
            var result = new AuditOptionsValidator().Validate(null, options);
            Assert.True(result.Failed);
            return result.FailureMessage;
        }

        Assert.Contains("Interval must be between 00:00:10 and 1.00:00:00", Failure(c => c.Interval = TimeSpan.FromSeconds(5)), StringComparison.Ordinal);
        Assert.Contains("Interval", Failure(c => c.Interval = TimeSpan.FromDays(2)), StringComparison.Ordinal);
        Assert.Contains("Namespace 'Bad_NS' is not a namespace name", Failure(c => c.Namespace = "Bad_NS"), StringComparison.Ordinal);
        Assert.Contains("ConfigMapName", Failure(c => c.ConfigMapName = "-x"), StringComparison.Ordinal);
        Assert.Contains("does not exist", Failure(c => c.KeyFile = Path.Combine(dir.Path, "missing.pem")), StringComparison.Ordinal);
        Assert.Contains("is not an ECDSA P-256 private key", Failure(c => c.KeyFile = notAKey), StringComparison.Ordinal);
        Assert.Contains("is not an ECDSA P-256 private key", Failure(c => c.KeyFile = rsa), StringComparison.Ordinal);
        Assert.Contains("is not an ECDSA P-256 private key", Failure(c => c.KeyFile = p384), StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_secret_mounted_key_signs_and_is_never_written()
    {
        using var dir = new TempDir();
        var keyFile = Path.Combine(dir.Path, "checkpoint-key.pem");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256)) File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead);
        var before = File.GetLastWriteTimeUtc(keyFile);
        await using var audit = await AuditHarness.StartAsync(new Dictionary<string, string?> { ["Dashboard:Audit:Checkpoint:KeyFile"] = keyFile });
        await audit.AppendAsync(1);

        Assert.Equal(CheckpointWriteOutcome.Written, (await audit.Writer.WriteOnceAsync(TestContext.Current.CancellationToken)).Outcome);

        using var expected = AuditCheckpointKey.Read(keyFile);
        Assert.Equal(Shared.Audit.AuditCheckpoint.KeyIdOf(expected), audit.ClusterCheckpoint()!.KeyId);
        Assert.Equal(before, File.GetLastWriteTimeUtc(keyFile));
        Assert.False(File.Exists(Path.Combine(audit.Backend.Get<IOptions<DashboardOptions>>().Value.DataDir, AuditCheckpointOptions.DataDirKeyFileName)));
    }

    [Fact]
    public async Task The_dashboard_refuses_to_start_with_an_unusable_checkpoint_key()
    {
        using var dir = new TempDir();
        var builder = DashboardWebApplication.CreateBuilder([], b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Dashboard:DataDir"] = dir.Path,
                ["Dashboard:Port"] = "0",
                ["Dashboard:Kubernetes:Kubeconfig"] = Path.Combine(dir.Path, "none"),
                ["Dashboard:Audit:Checkpoint:KeyFile"] = Path.Combine(dir.Path, "missing.pem"),
            });
            b.Logging.ClearProviders();
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = builder.Build();
            await app.StartAsync(TestContext.Current.CancellationToken);
        });

        Assert.Contains("Dashboard:Audit:Checkpoint:KeyFile", error.Message, StringComparison.Ordinal);
    }
}
