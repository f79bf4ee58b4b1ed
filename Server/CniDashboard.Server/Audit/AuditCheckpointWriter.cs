using System.Text.Json.Nodes;
using CniDashboard.Server.Options;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Audit;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Audit;

/// <summary>What one checkpoint pass did.</summary>
public enum CheckpointWriteOutcome
{
    /// <summary>A new checkpoint was signed and written.</summary>
    Written,

    /// <summary>Nothing to write: the log is empty, or has not grown since the checkpoint (but for the entry recording it).</summary>
    Unchanged,

    /// <summary>Not written, to keep evidence: the checkpoint there disagrees with the log (see the reason).</summary>
    Refused,

    /// <summary>Not written: the cluster could not be reached or refused.</summary>
    Failed,
}

/// <summary>The result of one pass, with the checkpoint written or the reason for not writing.</summary>
public sealed record CheckpointWriteResult(CheckpointWriteOutcome Outcome, AuditCheckpoint? Checkpoint = null, string? Reason = null);

/// <summary>
/// Signs the chain's head and writes it to the cluster at start, every interval while the log grows,
/// and on shutdown; each checkpoint written is itself an audit entry (<see cref="AuditActions.CheckpointWritten"/>,
/// whose details carry the whole signed checkpoint, so the newest one can be restored from the log).
/// Before signing, it checks the entries since the last checkpoint, and it never overwrites a
/// checkpoint that disagrees with the log (ahead of it, a different hash, another key): that is
/// the evidence verification needs. Such a refusal, and the first of a run of failures, is audited too.
/// </summary>
public sealed class AuditCheckpointWriter(
    IAuditReader reader,
    IAuditLog log,
    IAuditCheckpointStore store,
    AuditCheckpointSigner signer,
    AuditCheckpointGate gate,
    TimeProvider time,
    IOptions<DashboardOptions> options,
    ILogger<AuditCheckpointWriter> logger) : BackgroundService
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);
    private readonly AuditCheckpointOptions _options = options.Value.Audit.Checkpoint;
    private string? _lastProblem;

    /// <summary>One pass: writes a checkpoint of the current head when there is something new to cover.</summary>
    public async Task<CheckpointWriteResult> WriteOnceAsync(CancellationToken cancellationToken)
    {
        CheckpointWriteResult result;
        await gate.WaitAsync(cancellationToken);
        try
        {
            result = await WriteUnderGateAsync(cancellationToken);
        }
        finally
        {
            gate.Release();
        }

        await RecordAsync(result, cancellationToken);
        return result;
    }

    private async Task<CheckpointWriteResult> WriteUnderGateAsync(CancellationToken cancellationToken)
    {
        var head = await reader.GetHeadAsync(cancellationToken);
        if (head is null) return new CheckpointWriteResult(CheckpointWriteOutcome.Unchanged);

        var reading = await store.ReadAsync(cancellationToken);
        if (reading.Error is not null) return new CheckpointWriteResult(CheckpointWriteOutcome.Failed, Reason: reading.Error);
        if (reading.Malformed is not null)
            return Refused($"the value at {store.Location} is not a valid checkpoint ({reading.Malformed})");

        var verifier = new AuditChainVerifier();
        if (reading.Checkpoint is { } existing)
        {
            if (!existing.VerifySignature(signer.Key))
                return Refused($"the checkpoint at {store.Location} is not signed by this dashboard's key {signer.KeyId} (key {existing.KeyId})");
            if (existing.Sequence > head.Sequence)
                return Refused($"the checkpoint at {store.Location} covers entry {existing.Sequence}, but the log ends at entry {head.Sequence}");
            var covered = await reader.GetAsync(existing.Sequence, cancellationToken);
            if (covered?.Hash != existing.HeadHash)
                return Refused($"entry {existing.Sequence} does not have the hash the checkpoint at {store.Location} records");
            if (head.Sequence == existing.Sequence || RecordsCheckpoint(head, existing))
                return new CheckpointWriteResult(CheckpointWriteOutcome.Unchanged, existing);
            verifier = new AuditChainVerifier(afterSequence: existing.Sequence, afterHash: existing.HeadHash);
        }

        // Only what the last checkpoint does not cover yet (all of it the first time).
        await foreach (var entry in reader.ReadChainAsync(verifier.HeadSequence, cancellationToken))
        {
            if (!verifier.Add(entry)) return Refused($"the log does not verify: {verifier.Problem}");
        }

        if (reading.Checkpoint is null && verifier.RecordedCheckpointSequence is { } recorded)
        {
            return Refused($"the log records writing a checkpoint for entry {recorded} (entry {verifier.RecordedCheckpointEntry}), but there is none at {store.Location}; "
                + "restore it from that entry's details (kubectl annotate) rather than start over");
        }

        var checkpoint = signer.Sign(verifier.HeadSequence, verifier.HeadHash!, time.GetUtcNow());
        try
        {
            await store.WriteAsync(checkpoint, cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException)
        {
            return new CheckpointWriteResult(CheckpointWriteOutcome.Failed, Reason: e.Message);
        }

        return new CheckpointWriteResult(CheckpointWriteOutcome.Written, checkpoint);
    }

    private static CheckpointWriteResult Refused(string reason) => new(CheckpointWriteOutcome.Refused, Reason: reason + "; not overwritten — run audit verification");

    /// <summary>True when <paramref name="head"/> is the entry recording <paramref name="checkpoint"/>: an idle log needs no new one.</summary>
    private static bool RecordsCheckpoint(AuditEntry head, AuditCheckpoint checkpoint)
    {
        if (head.Action != AuditActions.CheckpointWritten || head.Sequence != checkpoint.Sequence + 1 || head.Details is null) return false;
        return JsonNode.Parse(head.Details)?["headHash"]?.GetValue<string>() == checkpoint.HeadHash;
    }

    private async Task RecordAsync(CheckpointWriteResult result, CancellationToken cancellationToken)
    {
        var target = new AuditTarget("configmap", $"{_options.Namespace}/{_options.ConfigMapName}");
        switch (result.Outcome)
        {
            case CheckpointWriteOutcome.Written:
                _lastProblem = null;
                var checkpoint = result.Checkpoint!;
                logger.LogInformation("Audit checkpoint written to {Location}: entry {Sequence}", store.Location, checkpoint.Sequence);
                var details = (JsonObject)JsonNode.Parse(checkpoint.ToJson())!;
                details["location"] = store.Location;
                await log.AppendAsync(AuditCaller.System.Record(AuditActions.CheckpointWritten, target, AuditOutcome.Ok, details), cancellationToken);
                break;
            case CheckpointWriteOutcome.Refused or CheckpointWriteOutcome.Failed:
                if (result.Outcome == CheckpointWriteOutcome.Refused) logger.LogError("Audit checkpoint not written: {Reason}", result.Reason);
                else logger.LogWarning("Audit checkpoint not written: {Reason}", result.Reason);
                if (result.Reason == _lastProblem) break;
                _lastProblem = result.Reason;
                await log.AppendAsync(AuditCaller.System.Record(AuditActions.CheckpointWritten, target, AuditOutcome.Failed, new JsonObject
                {
                    ["refused"] = result.Outcome == CheckpointWriteOutcome.Refused,
                    ["reason"] = result.Reason,
                    ["location"] = store.Location,
                }), cancellationToken);
                break;
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled) return;
        using var timer = new PeriodicTimer(_options.Interval, time);
        try
        {
            do
            {
                await PassAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!_options.Enabled) return;
        // The last entries of this run (sign-outs, the engine's final steps) get covered before the process ends.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ShutdownTimeout);
        try
        {
            await PassAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Audit checkpoint at shutdown not written within {Timeout}", ShutdownTimeout);
        }
    }

    private async Task PassAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WriteOnceAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Audit checkpoint pass failed; retrying next interval");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Audit checkpoint pass timed out");
        }
    }
}
