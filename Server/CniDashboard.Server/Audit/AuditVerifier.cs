using System.Diagnostics;
using System.Security.Cryptography;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Audit;

namespace CniDashboard.Server.Audit;

/// <summary>
/// Verifies the audit log: reads the checkpoint first, then walks the chain from one consistent read
/// of the store, so a checkpoint written meanwhile can never look ahead of the log. Runs under the
/// same gate as the checkpoint writer.
/// </summary>
public sealed class AuditVerifier(IAuditReader reader, IAuditCheckpointStore store, AuditCheckpointSigner signer, AuditCheckpointGate gate, TimeProvider time)
{
    /// <summary>Walks the chain and compares it with the checkpoint in the cluster.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var started = time.GetTimestamp();
            var reading = await store.ReadAsync(cancellationToken);
            var result = await VerifyAsync(reader.ReadChainAsync(0, cancellationToken), reading, signer.Key, cancellationToken);
            return result with { VerifiedAt = time.GetUtcNow(), Duration = time.GetElapsedTime(started) };
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The verification itself, for any source of entries and checkpoint (the dashboard's store and
    /// cluster, or the offline command's file and kubeconfig).
    /// </summary>
    public static async Task<AuditVerification> VerifyAsync(IAsyncEnumerable<AuditEntry> chain, CheckpointReading reading, ECDsa? trustedKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(reading);
        var watch = Stopwatch.StartNew();
        var verifier = new AuditChainVerifier(reading.Checkpoint?.Sequence);
        await foreach (var entry in chain.WithCancellation(cancellationToken))
        {
            if (!verifier.Add(entry)) break;
        }

        var result = verifier.Complete(reading.Checkpoint, trustedKey, reading.Error, reading.Source, reading.Malformed);
        return result with { VerifiedAt = DateTimeOffset.UtcNow, Duration = watch.Elapsed };
    }
}

/// <summary>One checkpoint write or verification at a time, so neither sees the other half-done.</summary>
public sealed class AuditCheckpointGate : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Enters.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _gate.WaitAsync(cancellationToken);

    /// <summary>Leaves.</summary>
    public void Release() => _gate.Release();

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();
}
