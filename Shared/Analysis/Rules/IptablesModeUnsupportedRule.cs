using System.Text.Json;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>Failure mode 12: linkerd-cni's <c>iptables-mode</c> that the node OS cannot run (nft without iptables-nft → exit status 127).</summary>
public sealed class IptablesModeUnsupportedRule : IAnalyzerRule
{
    private static readonly string[] KnownModes = ["legacy", "nft", "plain"];

    /// <inheritdoc />
    public string Id => "iptables-mode-unsupported";

    /// <inheritdoc />
    public string Title => "linkerd-cni's iptables-mode fails on this node (unknown mode, or nft without iptables-nft)";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        foreach (var config in input.Configs())
        {
            foreach (var plugin in config.Plugins)
            {
                if (plugin.Type != MeshCni.Linkerd.PluginType) continue;
                if (!plugin.Json.TryGetProperty("linkerd", out var linkerd) || linkerd.ValueKind != JsonValueKind.Object
                    || !linkerd.TryGetProperty("iptables-mode", out var modeValue) || modeValue.ValueKind != JsonValueKind.String) continue;
                var mode = JsonText.String(modeValue);
                var primary = input.IsPrimary(config);
                var exits = input.SandboxErrors(plugin.Type, SandboxErrorClass.BinaryExit).ToArray();
                var pointer = plugin.JsonPointer + "/linkerd/iptables-mode";

                if (!KnownModes.Contains(mode, StringComparer.Ordinal))
                {
                    yield return new Finding
                    {
                        Rule = Id,
                        Severity = input.CriticalIfPrimary(config),
                        File = config.FileName,
                        Plugin = plugin.Type,
                        JsonPointer = pointer,
                        Message = $"linkerd-cni in {config.FileName} has iptables-mode \"{mode}\", which linkerd does not know",
                        Explanation = "linkerd-cni runs the iptables variant named by iptables-mode (legacy or nft); any other value fails the plugin"
                            + (primary ? " for every new pod on the node." : " once this file is the primary."),
                        Remediation = "Set the linkerd-cni Helm value iptablesMode to legacy or nft and let the installer rewrite the entry.",
                        Evidence = [RuleInput.Where(config, plugin), .. exits.SandboxEvidence()],
                    };
                }
                else if (mode == "nft")
                {
                    // With exit-status failures from linkerd-cni the node evidently lacks iptables-nft; without them it is only a risk.
                    var confirmed = exits.Length > 0;
                    if (!confirmed && input.Context.OsImage is null) continue;
                    yield return new Finding
                    {
                        Rule = Id,
                        Severity = confirmed ? input.CriticalIfPrimary(config) : Severity.Info,
                        File = config.FileName,
                        Plugin = plugin.Type,
                        JsonPointer = pointer,
                        Message = confirmed
                            ? $"linkerd-cni runs iptables-nft, and fails on this node with exit status errors"
                            : $"linkerd-cni uses iptables-mode nft; check that {input.Context.OsImage} ships iptables-nft",
                        Explanation = "With iptables-mode nft the plugin executes iptables-nft on the host. An OS image without it makes the plugin exit with status 127 "
                            + "(command not found), and the pod gets no sandbox"
                            + (primary ? "; the entry is in the chain the runtime uses." : "."),
                        Remediation = "Set the linkerd-cni Helm value iptablesMode to legacy on node groups whose OS has no iptables-nft (or use an OS image that has it), then restart linkerd-cni pods node by node.",
                        Evidence = [RuleInput.Where(config, plugin), .. input.Context.OsImage is { } os ? [$"OS image: {os}"] : Array.Empty<string>(), .. exits.SandboxEvidence()],
                    };
                }
            }
        }
    }
}
