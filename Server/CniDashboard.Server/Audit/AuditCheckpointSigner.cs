using System.Security.Cryptography;
using CniDashboard.Server.Options;
using CniDashboard.Shared.Audit;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Audit;

/// <summary>Signs checkpoints with the configured key (loaded, or created in the data dir, on first use).</summary>
public sealed class AuditCheckpointSigner : IDisposable
{
    private readonly Lazy<ECDsa> _key;

    /// <summary>Uses <c>Dashboard:Audit:Checkpoint:KeyFile</c>, or <c>{DataDir}/audit-checkpoint-key.pem</c>.</summary>
    public AuditCheckpointSigner(IOptions<DashboardOptions> options, ILogger<AuditCheckpointSigner> logger)
    {
        var configured = options.Value.Audit.Checkpoint.KeyFile;
        KeyPath = string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(options.Value.DataDir, AuditCheckpointOptions.DataDirKeyFileName)
            : configured;
        _key = new Lazy<ECDsa>(() =>
        {
            var key = string.IsNullOrWhiteSpace(configured) ? AuditCheckpointKey.ReadOrCreate(KeyPath) : AuditCheckpointKey.Read(KeyPath);
            if (AuditCheckpointKey.IsReadableByOthers(KeyPath))
                logger.LogWarning("The audit checkpoint key {KeyFile} is readable by every user; it should be mode 0600 (or a Secret mounted with defaultMode 0440)", KeyPath);
            logger.LogInformation("Audit checkpoints are signed with key {KeyId} ({KeyFile})", AuditCheckpoint.KeyIdOf(key), KeyPath);
            return key;
        });
    }

    /// <summary>The private key's file.</summary>
    public string KeyPath { get; }

    /// <summary>The key (public and private halves).</summary>
    public ECDsa Key => _key.Value;

    /// <summary>The key's id (first 16 hex digits of its SubjectPublicKeyInfo's SHA-256).</summary>
    public string KeyId => AuditCheckpoint.KeyIdOf(Key);

    /// <summary>The public key, PEM.</summary>
    public string PublicKeyPem => Key.ExportSubjectPublicKeyInfoPem();

    /// <summary>Signs "entry <paramref name="sequence"/> has hash <paramref name="headHash"/>" at <paramref name="at"/>.</summary>
    public AuditCheckpoint Sign(long sequence, string headHash, DateTimeOffset at) => AuditCheckpoint.Sign(sequence, headHash, at, Key);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_key.IsValueCreated) _key.Value.Dispose();
    }
}
