using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Kubeconfig;

namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>Failure mode 6: what a plugin kubeconfig's token lifetime means for the plugins that read it.</summary>
internal static class MeshTokenLifetime
{
    /// <summary>Tokens expiring sooner than this are a warning.</summary>
    public static readonly TimeSpan ExpiringWindow = TimeSpan.FromDays(7);

    public static IEnumerable<(CniFolderFile File, TokenClaims Claims, (NetworkConfigList Config, PluginConfig Plugin)[] Readers, bool ReadByPrimary)> Tokens(AnalysisInput input)
    {
        foreach (var file in input.Folder.Files)
        {
            if (file.Kubeconfig?.Token is not { } claims) continue;
            var readers = input.PluginsReading(file.Name).ToArray();
            yield return (file, claims, readers, readers.Any(r => input.IsPrimary(r.Config)));
        }
    }

    public static string ReadersEvidence((NetworkConfigList Config, PluginConfig Plugin)[] readers) =>
        readers.Length == 0 ? "no plugin config in the folder reads it" : "read by: " + string.Join("; ", readers.Select(r => RuleInput.Where(r.Config, r.Plugin)));

    public static string When(DateTimeOffset at, DateTimeOffset now)
    {
        var delta = at - now;
        var span = delta.Duration();
        var amount = span.TotalDays >= 2 ? $"{(int)span.TotalDays} days" : span.TotalHours >= 2 ? $"{(int)span.TotalHours} hours" : $"{(int)Math.Max(1, span.TotalMinutes)} minutes";
        return $"{at:u} ({(delta < TimeSpan.Zero ? $"{amount} ago" : $"in {amount}")})";
    }
}

/// <summary>Failure mode 6: the token has expired; the API server rejects it.</summary>
public sealed class MeshTokenExpiredRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "mesh-token-expired";

    /// <inheritdoc />
    public string Title => "A plugin kubeconfig's token has expired";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        foreach (var (file, claims, readers, byPrimary) in MeshTokenLifetime.Tokens(input))
        {
            if (claims.ExpiresAt is not { } exp || exp > input.Now) continue;
            var plugin = readers.FirstOrDefault().Plugin?.Type;
            yield return new Finding
            {
                Rule = Id,
                Severity = byPrimary ? Severity.Critical : Severity.Warning,
                File = file.Name,
                Plugin = plugin,
                Message = $"The token in {file.Name} expired {MeshTokenLifetime.When(exp, input.Now)}",
                Explanation = "The API server rejects an expired token, so the plugin that reads this kubeconfig fails with Unauthorized"
                    + (byPrimary ? "; it is in the chain the runtime uses, so every new pod on the node fails to get a sandbox." : " once its config becomes the primary.")
                    + " The installer refreshes the token while its pod runs; an expired token means the installer pod is gone or stuck.",
                Remediation = $"Restart the {plugin ?? "owning CNI"} pod on this node so it writes a fresh token; if its sandbox cannot start because of this plugin, remove the plugin's entry from the primary first.",
                Evidence = [$"exp: {exp:u}", $"subject: {claims.Subject}", MeshTokenLifetime.ReadersEvidence(readers)],
            };
        }
    }
}

/// <summary>Failure mode 6: the token expires within a week.</summary>
public sealed class MeshTokenExpiringRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "mesh-token-expiring";

    /// <inheritdoc />
    public string Title => "A plugin kubeconfig's token expires within 7 days";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        foreach (var (file, claims, readers, _) in MeshTokenLifetime.Tokens(input))
        {
            if (claims.ExpiresAt is not { } exp || exp <= input.Now || exp - input.Now > MeshTokenLifetime.ExpiringWindow) continue;
            var plugin = readers.FirstOrDefault().Plugin?.Type;
            yield return new Finding
            {
                Rule = Id,
                Severity = Severity.Warning,
                File = file.Name,
                Plugin = plugin,
                Message = $"The token in {file.Name} expires {MeshTokenLifetime.When(exp, input.Now)}",
                Explanation = "When it expires the plugin that reads this kubeconfig fails with Unauthorized and new pods on the node cannot start. "
                    + "A running installer refreshes its token well before expiry; one this close to expiry has not been refreshed.",
                Remediation = $"Check that the {plugin ?? "owning CNI"} pod on this node runs and is Ready; restart it so it writes a fresh token.",
                Evidence = [$"exp: {exp:u}", MeshTokenLifetime.ReadersEvidence(readers)],
            };
        }
    }
}

/// <summary>Failure mode 6: past <c>warnafter</c>; the API server still accepts the token, but it was not refreshed.</summary>
public sealed class MeshTokenNotRefreshedRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "mesh-token-not-refreshed";

    /// <inheritdoc />
    public string Title => "A plugin kubeconfig's token is past its warnafter time (still accepted until it expires)";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        foreach (var (file, claims, readers, _) in MeshTokenLifetime.Tokens(input))
        {
            if (claims.WarnAfter is not { } warnAfter || warnAfter > input.Now) continue;
            if (claims.ExpiresAt is { } exp && exp - input.Now <= MeshTokenLifetime.ExpiringWindow) continue; // the expiry rules speak for it
            yield return new Finding
            {
                Rule = Id,
                Severity = Severity.Info,
                File = file.Name,
                Plugin = readers.FirstOrDefault().Plugin?.Type,
                Message = $"The token in {file.Name} is past its warnafter time {MeshTokenLifetime.When(warnAfter, input.Now)}",
                Explanation = "Kubernetes issues extended service-account tokens that stay valid until exp and marks when a client should have refreshed them "
                    + "(warnafter). The API server still accepts this token (it only records the use of a stale token). It matters if the token's pod is gone "
                    + "(see mesh-token-pod-gone) or exp comes close.",
                Remediation = "Nothing is required now. Restarting the owning CNI pod writes a fresh token.",
                Evidence = [$"warnafter: {warnAfter:u}", $"exp: {claims.ExpiresAt?.ToString("u") ?? "none"}", MeshTokenLifetime.ReadersEvidence(readers)],
            };
        }
    }
}
