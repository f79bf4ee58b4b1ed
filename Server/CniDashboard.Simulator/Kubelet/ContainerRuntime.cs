using CniDashboard.Shared.Cni;
using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.Nodes;
using CniDashboard.Simulator.Scenarios;

namespace CniDashboard.Simulator.Kubelet;

/// <summary>
/// The container runtime's CNI side (containerd with libcni), deciding from the node's REAL files:
/// the primary config is the first candidate in byte order (the shared <see cref="PrimaryConfigSelector"/>),
/// its plugins run in order on ADD and the first failure stops the chain. A plugin runs only if its
/// binary is in <c>/opt/cni/bin</c>; a plugin with a kubeconfig (linkerd-cni, istio-cni) calls the API
/// with that kubeconfig's token, and the API server's answer decides; aws-cni and cilium-cni need
/// their node daemons.
/// </summary>
internal sealed class ContainerRuntime
{
    private readonly Func<string, TokenValidation> _authenticate;

    /// <param name="authenticate">How the API server judges a bearer token (the emulator's token authority).</param>
    public ContainerRuntime(Func<string, TokenValidation> authenticate)
    {
        _authenticate = authenticate;
    }

    /// <summary>The node's CNI configuration as the runtime loads it now; never throws for a missing or unreadable folder.</summary>
    public static PrimaryConfig LoadPrimary(SimulatedNode node)
    {
        try
        {
            return CniFolder.Read(CniFolderReader.Read(node.CniDir)).Primary;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new PrimaryConfig { Status = PrimaryStatus.NoConfig };
        }
    }

    /// <summary>True when the runtime reports NetworkReady: a first candidate that loads.</summary>
    public static bool IsNetworkReady(PrimaryConfig primary) => primary.Status == PrimaryStatus.Loaded;

    /// <summary>
    /// Runs CNI ADD for a new sandbox. <paramref name="daemonReady"/> says whether a DaemonSet's pod
    /// on the node is Ready (the daemons aws-cni and cilium-cni talk to).
    /// </summary>
    public SandboxOutcome SetUpPodNetwork(SimulatedNode node, PrimaryConfig primary, string sandboxId, Func<string, bool> daemonReady)
    {
        if (!IsNetworkReady(primary))
        {
            return SandboxOutcome.NoNetwork;
        }

        foreach (var plugin in primary.Chain)
        {
            if (!CniFileNames.IsPlainFileName(plugin.Type) || !File.Exists(Path.Combine(node.BinDir, plugin.Type)))
            {
                return SandboxOutcome.NetworkSetupFailed(sandboxId, $"failed to find plugin \"{plugin.Type}\" in path [{SimulatedNode.HostBinDir}]");
            }

            if (PluginError(node, plugin, daemonReady) is { } error)
            {
                return SandboxOutcome.NetworkSetupFailed(sandboxId, $"{Describe(plugin)} failed (add): {error}");
            }
        }

        return SandboxOutcome.Success;
    }

    /// <summary>libcni's plugin description: <c>plugin type="x" name="y"</c>, the name only when the plugin has its own.</summary>
    private static string Describe(PluginConfig plugin) =>
        plugin.Name is { Length: > 0 } name ? $"plugin type=\"{plugin.Type}\" name=\"{name}\"" : $"plugin type=\"{plugin.Type}\"";

    private string? PluginError(SimulatedNode node, PluginConfig plugin, Func<string, bool> daemonReady)
    {
        switch (plugin.Type)
        {
            case "aws-cni" when !daemonReady(CniDaemonSets.AwsNode):
                return "add cmd: Error received from AddNetwork gRPC call: rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing: dial tcp 127.0.0.1:50051: connect: connection refused\"";
            case "cilium-cni" when !daemonReady(CniDaemonSets.Cilium):
                return "unable to connect to Cilium daemon: failed to create cilium agent client after 30.000000 seconds timeout: Get \"http:///var/run/cilium/cilium.sock/v1/config\": dial unix /var/run/cilium/cilium.sock: connect: no such file or directory";
        }

        // A plugin that reads a kubeconfig asks the API server about every pod with that kubeconfig's token.
        foreach (var hostPath in plugin.KubeconfigPaths)
        {
            string text;
            try
            {
                text = File.ReadAllText(node.HostPath(hostPath));
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return $"stat {hostPath}: no such file or directory";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return $"open {hostPath}: permission denied";
            }

            if (KubeconfigToken.Read(text) is not { Length: > 0 } token || !_authenticate(token).Authenticated)
            {
                return "Unauthorized";
            }
        }

        return null;
    }
}
