using System.Security.Cryptography;

namespace CniDashboard.Simulator.Installers;

/// <summary>
/// Writes a node file as the installers do: a temp file the runtime ignores, then a rename over the
/// target, so the runtime (and the agent) never read a half-written config.
/// </summary>
internal static class NodeFileWriter
{
    /// <summary>Temp files start with this and end with <c>.tmp</c>: never a name the runtime loads.</summary>
    public const string TempPrefix = ".cni-sim-";

    public const UnixFileMode ConfigMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public const UnixFileMode SecretMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode ExecutableMode = ConfigMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>Replaces (or creates) <paramref name="name"/> in <paramref name="dir"/>; false when it already held these bytes.</summary>
    public static bool Write(string dir, string name, byte[] content, UnixFileMode mode)
    {
        var target = Path.Combine(dir, name);
        if (File.Exists(target) && Sha256Of(target) is { } current && current == Sha256(content))
        {
            return false;
        }

        var temp = Path.Combine(dir, $"{TempPrefix}{name}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
            }

            if (!OperatingSystem.IsWindows())
            {
                // The umask filters UnixCreateMode; a kubeconfig must end up exactly 0600.
                File.SetUnixFileMode(temp, mode);
            }

            File.Move(temp, target, overwrite: true);
            return true;
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>
    /// Creates a file that does not exist yet, directly (no temp file): for seeding a node before
    /// anything reads its folder. Throws <see cref="IOException"/> if the file exists.
    /// </summary>
    public static void Create(string dir, string name, byte[] content, UnixFileMode mode)
    {
        var path = Path.Combine(dir, name);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(content);
        }

        if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(path) != mode)
        {
            // The umask took bits away.
            File.SetUnixFileMode(path, mode);
        }
    }

    /// <summary>Deletes the file if it is there; true when it was.</summary>
    public static bool Delete(string dir, string name)
    {
        var path = Path.Combine(dir, name);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>The file's SHA-256, or null when it cannot be read.</summary>
    public static string? Sha256Of(string path)
    {
        try
        {
            return Sha256(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
