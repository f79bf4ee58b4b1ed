using System.Text;
using System.Text.Json;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Agent.Node;

/// <summary>
/// The completed changes, one JSON line each in the backup folder, so a retried change id is
/// answered with its first result — also after the agent restarts — and nothing is written twice.
/// </summary>
internal sealed class ChangeJournal
{
    private const string FileName = "changes.jsonl";
    private readonly string _path;
    private readonly int _max;
    private readonly Dictionary<string, ChangeRecord> _byId = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();
    private int _linesOnDisk;

    public ChangeJournal(string backupDir, int max)
    {
        _path = Path.Combine(backupDir, FileName);
        _max = Math.Max(1, max);
        Load();
    }

    /// <summary>A completed change by id; safe to call without the node's write lock.</summary>
    public ChangeRecord? Find(string changeId)
    {
        lock (_lock) return _byId.GetValueOrDefault(changeId);
    }

    /// <summary>Appends and flushes one change; the caller holds the node's write lock.</summary>
    public void Append(ChangeRecord record)
    {
        lock (_lock) Remember(record);
        var line = JsonSerializer.Serialize(record, AgentStateJsonContext.Default.ChangeRecord) + "\n";
        using (var stream = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            stream.Write(Encoding.UTF8.GetBytes(line));
            stream.Flush(flushToDisk: true);
        }
        if (++_linesOnDisk > 2 * _max) Compact();
    }

    private void Load()
    {
        if (!File.Exists(_path)) return;
        // Opened read-write below, which would block on a pipe: only a regular file is the journal.
        if (HostFileSystem.IsSupported && HostFileSystem.Lstat(_path).Type != HostEntryType.Regular)
            throw new IOException($"{_path} is not a regular file; move it away to start with an empty change journal");
        using (var stream = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read))
        {
            // A crash mid-append leaves a line without its newline; end it so the next record starts clean.
            if (stream.Length > 0)
            {
                stream.Seek(-1, SeekOrigin.End);
                if (stream.ReadByte() != '\n') stream.Write("\n"u8);
            }
        }
        foreach (var line in File.ReadLines(_path))
        {
            _linesOnDisk++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                if (JsonSerializer.Deserialize(line, AgentStateJsonContext.Default.ChangeRecord) is { } record) Remember(record);
            }
            catch (JsonException)
            {
                // A line cut short by a crash mid-append: the change it described was not acknowledged.
            }
        }
    }

    private void Remember(ChangeRecord record)
    {
        if (_byId.TryAdd(record.ChangeId, record)) _order.Enqueue(record.ChangeId);
        while (_order.Count > _max) _byId.Remove(_order.Dequeue());
    }

    private void Compact()
    {
        List<ChangeRecord> kept;
        lock (_lock) kept = _order.Select(id => _byId[id]).ToList();
        var temp = _path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            foreach (var record in kept)
            {
                stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, AgentStateJsonContext.Default.ChangeRecord) + "\n"));
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
        _linesOnDisk = kept.Count;
    }
}
