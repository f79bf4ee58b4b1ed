using CniDashboard.Server.Fleet;
using CniDashboard.Server.Options;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Agent;
using CniDashboard.Shared.Cni;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Ingest;

/// <summary>What happened to one snapshot offered to the store.</summary>
/// <param name="Node">The node.</param>
/// <param name="Outcome">Stored, unchanged, or refused.</param>
/// <param name="SnapshotId">The new snapshot's id, when stored.</param>
/// <param name="ChangedFiles">Files that changed, when stored.</param>
/// <param name="Error">Why it was refused.</param>
public sealed record IngestResult(string Node, IngestOutcome Outcome, long? SnapshotId = null, IReadOnlyList<string>? ChangedFiles = null, string? Error = null);

/// <summary>Outcomes of ingesting a snapshot.</summary>
public enum IngestOutcome
{
    /// <summary>A new snapshot was stored.</summary>
    Stored,
    /// <summary>Same manifest hash as the node's latest: nothing written.</summary>
    Unchanged,
    /// <summary>Refused (e.g. it held a token); nothing written, history untouched.</summary>
    Refused,
}

/// <summary>
/// Turns agent snapshots into history: skips unchanged ones (equal manifest hash), works out which
/// files changed, writes the changed ones in batched transactions, and keeps the in-memory fleet in step.
/// </summary>
public sealed class SnapshotIngestor(
    ISnapshotRepository snapshots,
    FleetState fleet,
    TimeProvider time,
    IOptions<DashboardOptions> options,
    ILogger<SnapshotIngestor> logger)
{
    private readonly int _batchSize = options.Value.Poller.IngestBatchSize;

    /// <summary>Ingests snapshots (any number; written in batches). Never throws for one bad snapshot.</summary>
    public async Task<IReadOnlyList<IngestResult>> IngestAsync(IReadOnlyList<NodeSnapshot> incoming, CancellationToken cancellationToken)
    {
        var results = new List<IngestResult>(incoming.Count);
        var pending = new List<SnapshotWrite>();
        var now = time.GetUtcNow();
        foreach (var snapshot in incoming)
        {
            var previous = fleet.Get(snapshot.NodeName)?.Latest;
            if (previous is not null && previous.Header.ManifestHash == snapshot.ManifestHash)
            {
                results.Add(new IngestResult(snapshot.NodeName, IngestOutcome.Unchanged));
                continue;
            }

            pending.Add(new SnapshotWrite(snapshot, now, ChangedFiles(previous?.Files, snapshot.Files), FirstOfNode: previous is null));
            if (pending.Count >= _batchSize)
            {
                results.AddRange(await WriteAsync(pending, cancellationToken));
                pending.Clear();
            }
        }

        if (pending.Count > 0) results.AddRange(await WriteAsync(pending, cancellationToken));
        return results;
    }

    private async Task<IReadOnlyList<IngestResult>> WriteAsync(IReadOnlyList<SnapshotWrite> writes, CancellationToken cancellationToken)
    {
        try
        {
            var ids = await snapshots.AddAsync(writes, cancellationToken);
            return writes.Select((w, i) => Stored(w, ids[i])).ToArray();
        }
        catch (TokenLeakException) when (writes.Count > 1)
        {
            // One snapshot poisons the batch: store the others one by one so only the bad one is lost.
            var results = new List<IngestResult>(writes.Count);
            foreach (var write in writes) results.AddRange(await WriteAsync([write], cancellationToken));
            return results;
        }
        catch (TokenLeakException ex)
        {
            logger.LogError("Snapshot of node {Node} refused: {Reason}", writes[0].Snapshot.NodeName, ex.Message);
            return [new IngestResult(writes[0].Snapshot.NodeName, IngestOutcome.Refused, Error: ex.Message)];
        }
    }

    private IngestResult Stored(SnapshotWrite write, long id)
    {
        var s = write.Snapshot;
        var header = new StoredSnapshot
        {
            Id = id,
            Node = s.NodeName,
            TakenAt = write.ReceivedAt,
            AgentTakenAt = s.TakenAt,
            ManifestHash = s.ManifestHash,
            PrimaryFile = s.PrimaryFile,
            PrimaryStatus = s.PrimaryStatus,
            Chain = s.Chain,
            ChangedFiles = write.ChangedFiles,
            FirstOfNode = write.FirstOfNode,
            CniDir = s.CniDir,
            AgentVersion = s.AgentVersion,
            BinariesError = s.BinariesError,
        };
        fleet.SetLatest(s.NodeName, new SnapshotContent(header, s.Files, s.Binaries));
        return new IngestResult(s.NodeName, IngestOutcome.Stored, id, write.ChangedFiles);
    }

    /// <summary>Entries added, removed or different (content, hash, mode, link facts) — times do not count.</summary>
    public static IReadOnlyList<string> ChangedFiles(IReadOnlyList<CniFolderFile>? before, IReadOnlyList<CniFolderFile> after)
    {
        if (before is null) return after.Select(f => f.Name).ToArray();
        var old = new Dictionary<string, CniFolderFile>(StringComparer.Ordinal);
        foreach (var f in before) old.TryAdd(f.Name, f);
        var changed = new List<string>();
        foreach (var f in after)
        {
            if (!old.Remove(f.Name, out var o) || !SameEntry(o, f)) changed.Add(f.Name);
        }

        changed.AddRange(old.Keys);
        changed.Sort(Utf8OrdinalComparer.Instance);
        return changed;
    }

    private static bool SameEntry(CniFolderFile a, CniFolderFile b) =>
        a.Sha256 == b.Sha256 && a.Size == b.Size && a.Mode == b.Mode && a.Kind == b.Kind
        && a.IsSymlink == b.IsSymlink && a.SymlinkTarget == b.SymlinkTarget && a.IsDirectory == b.IsDirectory
        && a.ContentOmitted == b.ContentOmitted && string.Equals(a.Content, b.Content, StringComparison.Ordinal);
}
