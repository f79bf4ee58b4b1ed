using System.Text;
using System.Text.Json;

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
    private int _linesOnDisk;

    public ChangeJournal(string backupDir, int max)
    {
        _path = Path.Combine(backupDir, FileName);
        _max = Math.Max(1, max);
        Load();
    }

    public ChangeRecord? Find(string changeId) => _byId.GetValueOrDefault(changeId);

    /// <summary>Appends and flushes one change; the caller holds the node's write lock.</summary>
    public void Append(ChangeRecord record)
    {
        Remember(record);
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
        var temp = _path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            foreach (var id in _order)
            {
                stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(_byId[id], AgentStateJsonContext.Default.ChangeRecord) + "\n"));
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
        _linesOnDisk = _order.Count;
    }
}
