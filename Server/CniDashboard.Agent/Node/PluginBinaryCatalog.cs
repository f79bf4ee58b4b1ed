using System.Security.Cryptography;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Agent.Node;

/// <summary>
/// Lists the plugin executables of the bin folder. CNI binaries are tens of megabytes, so a hash is
/// kept per (name, size, mtime) and recomputed only when one of those changes.
/// </summary>
internal sealed class PluginBinaryCatalog(string binDir, long maxHashBytes = 256L * 1024 * 1024)
{
    private readonly Dictionary<string, (long Size, long MtimeTicks, string? Sha256)> _hashes = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Reads the folder; throws <see cref="DirectoryNotFoundException"/> when it is missing.</summary>
    public IReadOnlyList<PluginBinary> Read(CancellationToken cancellationToken)
    {
        var folder = new DirectoryInfo(binDir);
        if (!folder.Exists) throw new DirectoryNotFoundException($"CNI bin folder not found: {binDir}");
        var result = new List<PluginBinary>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var info in folder.EnumerateFileSystemInfos())
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true);
                if (target is not FileInfo { Exists: true } file) continue;
                seen.Add(info.Name);
                result.Add(new PluginBinary(info.Name, file.Length, HashOf(info.Name, file)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                result.Add(new PluginBinary(info.Name, 0, null));
            }
        }
        lock (_lock)
        {
            foreach (var gone in _hashes.Keys.Where(k => !seen.Contains(k)).ToList()) _hashes.Remove(gone);
        }
        result.Sort((a, b) => Utf8OrdinalComparer.Instance.Compare(a.Name, b.Name));
        return result;
    }

    private string? HashOf(string name, FileInfo file)
    {
        var size = file.Length;
        var mtime = file.LastWriteTimeUtc.Ticks;
        lock (_lock)
        {
            if (_hashes.TryGetValue(name, out var known) && known.Size == size && known.MtimeTicks == mtime) return known.Sha256;
        }
        string? sha = null;
        if (size <= maxHashBytes)
        {
            using var stream = file.OpenRead();
            sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        lock (_lock) _hashes[name] = (size, mtime, sha);
        return sha;
    }
}
