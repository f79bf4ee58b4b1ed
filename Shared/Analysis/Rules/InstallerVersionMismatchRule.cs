using System.Text.Json;
using System.Text.RegularExpressions;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>
/// Failure mode 13: traces in the files of a linkerd-cni installer other than the one running: the
/// bracketed IPv4 server URL (written up to v1.6.4), an old <c>policy.k8s_auth_token</c> block, a legacy
/// standalone <c>01-linkerd-cni.conf</c>.
/// </summary>
public sealed partial class InstallerVersionMismatchRule : IAnalyzerRule
{
    private static readonly Version LastBracketingVersion = new(1, 6, 4);

    [GeneratedRegex(@"^https?://\[\d{1,3}(?:\.\d{1,3}){3}\](?::\d+)?(?:/.*)?$", RegexOptions.CultureInvariant, 100)]
    private static partial Regex BracketedIpv4Server();

    [GeneratedRegex(@"^https?://\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?(?:/.*)?$", RegexOptions.CultureInvariant, 100)]
    private static partial Regex PlainIpv4Server();

    /// <inheritdoc />
    public string Id => "installer-version-mismatch";

    /// <inheritdoc />
    public string Title => "Files were written by a different linkerd-cni installer version than the one running";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        var mesh = MeshCni.Linkerd;
        var running = mesh.InstallerVersion(input.Context);

        foreach (var finding in ServerUrlFindings(input, running)) yield return finding;
        foreach (var finding in PolicyBlockFindings(input)) yield return finding;
        foreach (var finding in LegacyConfFindings(input)) yield return finding;
    }

    private IEnumerable<Finding> ServerUrlFindings(AnalysisInput input, ImageRef? running)
    {
        if (running?.Version is not { } version) yield break;
        foreach (var file in input.Folder.Files)
        {
            if (file.Kubeconfig?.Server is not { } server || !file.Name.Contains("linkerd", StringComparison.OrdinalIgnoreCase)) continue;
            bool bracketed;
            try
            {
                bracketed = BracketedIpv4Server().IsMatch(server);
                if (!bracketed && !PlainIpv4Server().IsMatch(server)) continue;
            }
            catch (RegexMatchTimeoutException)
            {
                continue;
            }
            var oldInstaller = version <= LastBracketingVersion;
            if (bracketed == oldInstaller) continue;
            yield return new Finding
            {
                Rule = Id,
                Severity = Severity.Warning,
                File = file.Name,
                Plugin = MeshCni.Linkerd.PluginType,
                Message = $"{file.Name} has server {server}, which linkerd-cni {running} would not write",
                Explanation = (bracketed
                        ? $"linkerd-cni up to v{LastBracketingVersion} writes an IPv4 API server address in brackets; the running {running} writes it plainly."
                        : $"Only linkerd-cni after v{LastBracketingVersion} writes the IPv4 API server address without brackets; the running {running} would bracket it.")
                    + " So this kubeconfig (and its token) comes from another install: the running pod has not rewritten it, or an old pod's files survived an upgrade.",
                Remediation = "Restart the linkerd-cni pod on this node so the running installer rewrites its kubeconfig and conflist entries; check for mesh-token-pod-gone first.",
                Evidence = [$"server: {server}", $"running installer: {running}"],
            };
        }
    }

    private IEnumerable<Finding> PolicyBlockFindings(AnalysisInput input)
    {
        foreach (var config in input.Configs())
        {
            foreach (var plugin in config.Plugins)
            {
                if (plugin.Type != MeshCni.Linkerd.PluginType) continue;
                if (!plugin.Json.TryGetProperty("policy", out var policy) || policy.ValueKind != JsonValueKind.Object) continue;
                if (!policy.TryGetProperty("k8s_auth_token", out _)) continue;
                yield return new Finding
                {
                    Rule = Id,
                    Severity = Severity.Warning,
                    File = config.FileName,
                    Plugin = plugin.Type,
                    JsonPointer = plugin.JsonPointer + "/policy",
                    Message = $"linkerd-cni in {config.FileName} carries an old policy.k8s_auth_token block",
                    Explanation = "Current linkerd-cni installers read the API through the kubeconfig file and no longer write a policy block with an inline token. "
                        + "This entry was written by an old installer and was never replaced; its inline token is likely revoked.",
                    Remediation = "Remove this linkerd-cni entry and restart the linkerd-cni pod on the node so the running installer writes a current one.",
                    Evidence = [RuleInput.Where(config, plugin)],
                };
            }
        }
    }

    private IEnumerable<Finding> LegacyConfFindings(AnalysisInput input)
    {
        var primary = input.Folder.Primary;
        foreach (var file in input.Folder.Files)
        {
            if (!CniFileNames.IsCandidate(file.Name) || !file.Name.Contains("linkerd-cni", StringComparison.Ordinal)) continue;
            var loaded = input.Folder.Loaded.GetValueOrDefault(file.Name)?.Config;
            var isPrimary = primary.FileName == file.Name;
            var others = primary.Candidates.Any(c => c != file.Name && input.Folder.Loaded.GetValueOrDefault(c)?.IsValid == true);
            var onlyLinkerd = loaded is not null && loaded.Plugins.All(p => p.Type == MeshCni.Linkerd.PluginType);
            yield return new Finding
            {
                Rule = Id,
                Severity = isPrimary && (loaded is null || onlyLinkerd) ? Severity.Critical : Severity.Warning,
                File = file.Name,
                Plugin = MeshCni.Linkerd.PluginType,
                Message = $"{file.Name} is a standalone linkerd-cni configuration from an old installer" + (isPrimary ? ", and the runtime loads it first" : ""),
                Explanation = "Current linkerd-cni installers only append their plugin to the existing conflists; a configuration file of its own comes from an old install. "
                    + (isPrimary
                        ? "It sorts first, so the runtime uses it" + (onlyLinkerd || loaded is null ? ": a chain without an interface/IPAM plugin gives pods no network." : " instead of the real network configuration.")
                        : "It does not load today but would if the files before it went away."),
                Remediation = others ? $"Delete {file.Name} (the attached edit) so the real configuration is used, then restart the linkerd-cni pod on the node." : $"Delete {file.Name} after making sure the node's CNI configuration is in place.",
                Evidence = [loaded is null ? "does not load" : $"chain: {string.Join(", ", loaded.ChainTypes)}", $"load order: {string.Join(", ", primary.Candidates)}"],
                Edit = others ? PluginRemoval.Delete(file, $"Delete the legacy {file.Name}") : null,
            };
        }
    }
}
