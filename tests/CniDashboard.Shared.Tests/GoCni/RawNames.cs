using System.Runtime.InteropServices;
using System.Text;

namespace CniDashboard.Shared.Tests.GoCni;

/// <summary>
/// File names as bytes: .NET only speaks UTF-16 names, so a name that is not UTF-8 is made by
/// renaming a file to raw bytes, and a folder holding such names is removed by the host's rm.
/// </summary>
internal static partial class RawNames
{
    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static partial int Rename(byte[] oldPath, byte[] newPath);

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existing, string newName);

    /// <summary>A second name for an existing file (a hard link), without spawning <c>ln</c> for each.</summary>
    public static void HardLink(string existing, string newName)
    {
        if (Link(existing, newName) != 0) throw new IOException($"link failed (errno {Marshal.GetLastPInvokeError()})");
    }

    /// <summary>Renames the entry <paramref name="asciiName"/> of <paramref name="dir"/> to the raw bytes <paramref name="rawName"/>.</summary>
    public static void RenameTo(string dir, string asciiName, byte[] rawName)
    {
        var folder = Encoding.UTF8.GetBytes(dir + "/");
        byte[] Z(byte[] path) => [.. path, 0];
        if (Rename(Z([.. folder, .. Encoding.UTF8.GetBytes(asciiName)]), Z([.. folder, .. rawName])) != 0)
            throw new IOException($"rename to a raw name failed (errno {Marshal.GetLastPInvokeError()})");
    }

    /// <summary>Removes a folder tree whatever its names are.</summary>
    public static void RemoveTree(string dir)
    {
        using var rm = System.Diagnostics.Process.Start("rm", ["-rf", "--", dir]);
        rm.WaitForExit();
    }
}
