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
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = CniBinReader.Read(binDir, (name, size, modifiedAt, hash) =>
        {
            seen.Add(name);
            return HashOf(name, size, modifiedAt.UtcTicks, hash);
        }, maxHashBytes, cancellationToken);
        lock (_lock)
        {
            foreach (var gone in _hashes.Keys.Where(k => !seen.Contains(k)).ToList()) _hashes.Remove(gone);
        }
        return result;
    }

    private string? HashOf(string name, long size, long mtime, Func<string?> hash)
    {
        lock (_lock)
        {
            if (_hashes.TryGetValue(name, out var known) && known.Size == size && known.MtimeTicks == mtime) return known.Sha256;
        }
        var sha = hash();
        lock (_lock) _hashes[name] = (size, mtime, sha);
        return sha;
    }
}
