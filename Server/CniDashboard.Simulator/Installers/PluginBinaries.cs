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

    private static byte[] Content(string name, string installedBy) => Encoding.UTF8.GetBytes(
        $"#!/bin/sh\n# {name}: CNI plugin stand-in of the CNI Dashboard simulator (installed by {installedBy}).\n# The simulated runtime decides sandboxes itself; this file only has to exist.\nexit 0\n");
}
