namespace CniDashboard.E2E.Tests.Support;

/// <summary>Writes a node's CNI file the way installers and editors that care do: whole, never half-written.</summary>
public static class NodeFiles
{
    /// <summary>
    /// Writes <paramref name="content"/> to a temp file beside the CNI folder (same file system, a
    /// place the agent does not list) and renames it over <paramref name="path"/>, so the agent reads
    /// either the old file or the new one.
    /// </summary>
    public static async Task WriteAtomicallyAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(path) ?? throw new ArgumentException("no folder", nameof(path));
        var temp = Path.Combine(Path.GetDirectoryName(folder) ?? folder, $".e2e-{Guid.NewGuid():N}.tmp");
        await File.WriteAllBytesAsync(temp, content, cancellationToken);
        File.Move(temp, path, overwrite: true);
    }
}
