namespace CniDashboard.Agent.Node;

/// <summary>
/// Replaces a file so that a crash at any point leaves either the old or the new bytes under its
/// name: write a temp file the runtime ignores, flush it to disk, give it the original mode and
/// owner, rename it over the target, flush the folder.
/// </summary>
internal static class AtomicFileWriter
{
    /// <summary>Every temp file starts with this; nothing else in a CNI folder does.</summary>
    public const string TempPrefix = ".cni-dashboard-";

    /// <summary>
    /// Every temp file ends with this, never with <c>.conf</c>, <c>.conflist</c> or <c>.json</c>,
    /// so the runtime never loads a half-written file.
    /// </summary>
    public const string TempSuffix = ".tmp";

    /// <summary>The temp file name for a change (the change id is already checked to be a plain token).</summary>
    public static string TempNameFor(string changeId) => TempPrefix + changeId + TempSuffix;

    /// <summary>True for a name this writer creates.</summary>
    public static bool IsOwnTempName(string name) =>
        name.StartsWith(TempPrefix, StringComparison.Ordinal) && name.EndsWith(TempSuffix, StringComparison.Ordinal);

    /// <summary>
    /// Writes <paramref name="content"/> under <paramref name="targetName"/>: over the existing file,
    /// keeping its mode and owner, or — when there is none (a restore of a deleted file) — as a new
    /// file with <paramref name="modeIfNew"/>, refusing to replace one that appears meanwhile.
    /// </summary>
    public static async Task ReplaceAsync(string dir, string targetName, byte[] content, string changeId, UnixFileMode? modeIfNew, AtomicWriteHooks hooks, CancellationToken cancellationToken)
    {
        var target = Path.Combine(dir, targetName);
        var temp = Path.Combine(dir, TempNameFor(changeId));
        var exists = File.Exists(target);
        UnixFileMode? mode = OperatingSystem.IsWindows() ? null : exists ? File.GetUnixFileMode(target) : modeIfNew;
        var owner = exists ? NativeFileSystem.OwnerOf(target) : null;

        // A temp of the same change left by a crash is ours and stale.
        if (File.Exists(temp)) File.Delete(temp);
        var renamed = false;
        try
        {
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows()) create.UnixCreateMode = mode ?? (UnixFileMode.UserRead | UnixFileMode.UserWrite);
            using (var stream = new FileStream(temp, create))
            {
                await stream.WriteAsync(content, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            // UnixCreateMode is filtered by the umask; set the exact bits.
            if (mode is { } bits && !OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, bits);
            if (owner is { } o && NativeFileSystem.OwnerOf(temp) != o) NativeFileSystem.TrySetOwner(temp, o.Uid, o.Gid);

            if (hooks.BeforeRename is { } beforeRename) await beforeRename(temp, cancellationToken);

            File.Move(temp, target, overwrite: exists);
            renamed = true;
            NativeFileSystem.FsyncDirectory(dir);
        }
        finally
        {
            if (!renamed) TryDelete(temp);
        }
    }

    /// <summary>Removes a file of the folder and flushes the folder, so the removal survives a power cut.</summary>
    public static void Delete(string dir, string targetName)
    {
        File.Delete(Path.Combine(dir, targetName));
        NativeFileSystem.FsyncDirectory(dir);
    }

    /// <summary>Removes temp files a crash left behind; returns their names.</summary>
    public static IReadOnlyList<string> RemoveStrayTempFiles(string dir)
    {
        var removed = new List<string>();
        foreach (var info in new DirectoryInfo(dir).EnumerateFileSystemInfos(TempPrefix + "*" + TempSuffix))
        {
            if (info is not FileInfo || info.LinkTarget is not null || !IsOwnTempName(info.Name)) continue;
            if (TryDelete(info.FullName)) removed.Add(info.Name);
        }
        return removed;
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
