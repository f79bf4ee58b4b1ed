using System.Runtime.InteropServices;
using System.Text;

namespace CniDashboard.Simulator.Installers;

/// <summary>
/// Small stand-ins for the plugin executables in <c>/opt/cni/bin</c>, named like the real ones:
/// the runtime (the simulated kubelet) only needs them to exist, the agent lists and hashes them.
/// </summary>
internal static class PluginBinaries
{
    /// <summary>What the OS image ships (Bottlerocket bundles the reference plugins).</summary>
    public static IReadOnlyList<string> BaseOs { get; } = ["bandwidth", "host-local", "loopback", "portmap", "tuning"];

    /// <summary>What aws-node's init container copies.</summary>
    public static IReadOnlyList<string> AwsNode { get; } = ["aws-cni", "egress-cni"];

    public const string Cilium = "cilium-cni";

    public const string LinkerdCni = "linkerd-cni";

    /// <summary>
    /// Seeds a new node's bin folder: each executable a hard link to one shared copy in
    /// <paramref name="sharedDir"/> — a regular file to everyone reading the node (the agent lists and
    /// hashes it, deleting it removes only this node's), at one system call per file for 5,000 nodes.
    /// Falls back to a copy where hard links are not possible.
    /// </summary>
    public static void Seed(string binDir, IEnumerable<string> names, string installedBy, string sharedDir)
    {
        foreach (var name in names)
        {
            var target = Path.Combine(binDir, name);
            if (File.Exists(target))
            {
                continue;
            }

            var shared = SharedCopy(sharedDir, name, installedBy);
            if (OperatingSystem.IsWindows() || HardLink.Create(shared, target) != 0)
            {
                File.Copy(shared, target);
            }
        }
    }

    /// <summary>Writes the named executables that are missing; true when any was.</summary>
    public static bool Install(string binDir, IEnumerable<string> names, string installedBy)
    {
        var wrote = false;
        foreach (var name in names)
        {
            if (File.Exists(Path.Combine(binDir, name)))
            {
                continue;
            }

            wrote |= NodeFileWriter.Write(binDir, name, Content(name, installedBy), NodeFileWriter.ExecutableMode);
        }

        return wrote;
    }

    private static string SharedCopy(string sharedDir, string name, string installedBy)
    {
        var path = Path.Combine(sharedDir, name);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(sharedDir);
            // Several seeding threads may race here; the atomic write makes the loser's copy identical.
            NodeFileWriter.Write(sharedDir, name, Content(name, installedBy), NodeFileWriter.ExecutableMode);
        }

        return path;
    }

    private static byte[] Content(string name, string installedBy) => Encoding.UTF8.GetBytes(
        $"#!/bin/sh\n# {name}: CNI plugin stand-in of the CNI Dashboard simulator (installed by {installedBy}).\n# The simulated runtime decides sandboxes itself; this file only has to exist.\nexit 0\n");
}

/// <summary>link(2): a second name for an existing file.</summary>
internal static partial class HardLink
{
    /// <summary>0 on success, -1 on failure (cross-device, unsupported file system, …).</summary>
    public static int Create(string existing, string newPath) => link(existing, newPath);

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int link(string oldpath, string newpath);
}
