using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Agent.Node;

/// <summary>
/// Copies of replaced files, outside the CNI folder: <c>&lt;id&gt;.bak</c> holds the bytes,
/// <c>&lt;id&gt;.json</c> the metadata. Kept to a count and an age; the oldest go first.
/// </summary>
internal sealed class BackupStore
{
    private const string DataSuffix = ".bak";
    private const string MetaSuffix = ".json";
    private const string TempSuffix = ".tmp";
    private const int MaxMetadataBytes = 64 * 1024;
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

    /// <summary>Saves a copy durably before the file is replaced; the caller holds the node's write lock.</summary>
    public BackupRecord Save(string changeId, string file, byte[] content, string? mode, string newSha256, string operation, string? reason)
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
        Prune();
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

    private void Prune()
    {
        var cutoff = _time.GetUtcNow() - _options.MaxBackupAge;
        var keep = Math.Max(1, _options.MaxBackups);
        var ordered = _records.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            var record = ordered[i];
            if (i < keep && record.CreatedAt >= cutoff) continue;
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
