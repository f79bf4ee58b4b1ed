using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Agent.Node;

/// <summary>
/// Copies of replaced files, outside the CNI folder: <c>&lt;id&gt;.bak</c> holds the bytes,
/// <c>&lt;id&gt;.json</c> the metadata. Unpinned backups are kept to a count and an age, the oldest
/// going first; pinned ones (a plan that may roll back to them) are kept until unpinned, and their
/// number is capped separately, so disk use stays bounded either way.
/// </summary>
internal sealed class BackupStore
{
    private const string DataSuffix = ".bak";
    private const string MetaSuffix = ".json";
    private const string TempSuffix = ".tmp";
    private const int MaxMetadataBytes = 64 * 1024;

    /// <summary>Most owners one backup can have (a few plans at most ever hold the same backup).</summary>
    public const int MaxOwnersPerBackup = 16;
    private readonly string _dir;
    private readonly NodeAgentOptions _options;
    private readonly TimeProvider _time;
    private readonly List<BackupRecord> _records = [];

    public BackupStore(NodeAgentOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _dir = options.BackupDir;
        Directory.CreateDirectory(_dir);
        Load();
    }

    /// <summary>Every backup, newest first, after pruning what retention no longer keeps.</summary>
    public IReadOnlyList<BackupRecord> List()
    {
        Prune();
        return _records.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal).ToList();
    }

    public BackupRecord? Find(string id) => _records.FirstOrDefault(r => r.Id == id);

    /// <summary>Finds the backup a change made of a file (to recognise a retry after a crash).</summary>
    public BackupRecord? FindByChange(string changeId, string file) =>
        _records.FirstOrDefault(r => r.ChangeId == changeId && r.File == file);

    /// <summary>Reads a backup's bytes, checking them against the recorded hash.</summary>
    public byte[] ReadContent(BackupRecord record)
    {
        var bytes = HostFileSystem.ReadRegularFile(Path.Combine(_dir, record.Id + DataSuffix), (int)Math.Min(int.MaxValue, record.Size));
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != record.Sha256)
            throw new InvalidDataException($"backup {record.Id} does not match its recorded sha256");
        return bytes;
    }

    /// <summary>
    /// Saves a copy durably before the file is replaced; the caller holds the node's write lock.
    /// <paramref name="keep"/> is a backup this change must not evict (the one a restore puts back).
    /// </summary>
    public BackupRecord Save(string changeId, string file, byte[] content, string? mode, string? newSha256, string operation, string? reason, string? keep = null)
    {
        var now = _time.GetUtcNow();
        var id = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + "-" + changeId;
        var record = new BackupRecord
        {
            Id = id,
            ChangeId = changeId,
            File = file,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
            Size = content.Length,
            CreatedAt = now,
            Mode = mode,
            NewSha256 = newSha256,
            Operation = operation,
            Reason = reason,
        };
        WriteDurably(Path.Combine(_dir, id + DataSuffix), content);
        WriteDurably(Path.Combine(_dir, id + MetaSuffix), JsonSerializer.SerializeToUtf8Bytes(record, AgentStateJsonContext.Default.BackupRecord));
        NativeFileSystem.FsyncDirectory(_dir);
        _records.Add(record);
        Prune(keep);
        return record;
    }

    /// <summary>Adds <paramref name="owner"/> to the backup's pins (durably); the caller holds the node's write lock.</summary>
    public PinResult Pin(string id, string owner)
    {
        if (Find(id) is not { } record) return new PinResult(PinStatus.NotFound, null);
        var pins = record.Pins ?? [];
        if (pins.Contains(owner, StringComparer.Ordinal)) return new PinResult(PinStatus.Done, record);
        if (!record.IsPinned && _records.Count(r => r.IsPinned) >= _options.MaxPinnedBackups)
            return new PinResult(PinStatus.LimitReached, record);
        if (pins.Count >= MaxOwnersPerBackup) return new PinResult(PinStatus.LimitReached, record);
        return new PinResult(PinStatus.Done, Rewrite(record with { Pins = [.. pins, owner] }));
    }

    /// <summary>
    /// Removes <paramref name="owner"/>'s pin (durably). A backup no one holds any more is subject to
    /// retention again at once. Unknown owners are a no-op.
    /// </summary>
    public PinResult Unpin(string id, string owner)
    {
        if (Find(id) is not { } record) return new PinResult(PinStatus.NotFound, null);
        var pins = record.Pins ?? [];
        if (!pins.Contains(owner, StringComparer.Ordinal)) return new PinResult(PinStatus.Done, record);
        var updated = Rewrite(record with { Pins = pins.Where(p => p != owner).ToList() is { Count: > 0 } rest ? rest : null });
        Prune();
        return new PinResult(PinStatus.Done, updated);
    }

    private BackupRecord Rewrite(BackupRecord record)
    {
        WriteDurably(Path.Combine(_dir, record.Id + MetaSuffix), JsonSerializer.SerializeToUtf8Bytes(record, AgentStateJsonContext.Default.BackupRecord));
        NativeFileSystem.FsyncDirectory(_dir);
        _records[_records.FindIndex(r => r.Id == record.Id)] = record;
        return record;
    }

    private static void WriteDurably(string path, byte[] content)
    {
        var temp = path + TempSuffix;
        var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        // Backups may hold secrets (a conflist can embed a token): readable by the agent only.
        if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, create))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    private void Load()
    {
        foreach (var temp in Directory.EnumerateFiles(_dir, "*" + TempSuffix)) TryDelete(temp);
        foreach (var meta in Directory.EnumerateFiles(_dir, "*" + MetaSuffix))
        {
            BackupRecord? record = null;
            try
            {
                record = JsonSerializer.Deserialize(HostFileSystem.ReadRegularFile(meta, MaxMetadataBytes), AgentStateJsonContext.Default.BackupRecord);
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                // Unreadable metadata: the backup cannot be restored safely, so it is not offered.
            }
            if (record is not null && record.Id + MetaSuffix == Path.GetFileName(meta) && File.Exists(Path.Combine(_dir, record.Id + DataSuffix)))
                _records.Add(record);
        }
        Prune();
    }

    /// <summary>
    /// Retention for unpinned backups: the newest <see cref="NodeAgentOptions.MaxBackups"/> within
    /// <see cref="NodeAgentOptions.MaxBackupAge"/> stay. Pinned backups are neither counted nor pruned,
    /// and <paramref name="keep"/> (the backup a restore is putting back) survives this prune.
    /// </summary>
    private void Prune(string? keep = null)
    {
        var cutoff = _time.GetUtcNow() - _options.MaxBackupAge;
        var room = Math.Max(1, _options.MaxBackups);
        var ordered = _records.Where(r => !r.IsPinned && r.Id != keep)
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal).ToList();
        if (keep is not null && _records.Any(r => r.Id == keep && !r.IsPinned)) room--;
        for (var i = 0; i < ordered.Count; i++)
        {
            var record = ordered[i];
            if (i < room && record.CreatedAt >= cutoff) continue;
            TryDelete(Path.Combine(_dir, record.Id + MetaSuffix));
            TryDelete(Path.Combine(_dir, record.Id + DataSuffix));
            _records.Remove(record);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next prune; a backup that cannot be deleted harms nothing.
        }
    }
}

/// <summary>How a pin or unpin went.</summary>
internal enum PinStatus
{
    Done,
    NotFound,
    LimitReached,
}

/// <summary>A pin or unpin's outcome, with the backup as it is now.</summary>
internal sealed record PinResult(PinStatus Status, BackupRecord? Record);
