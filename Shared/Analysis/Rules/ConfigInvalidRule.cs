namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>Failure mode 8 for files after the primary: they do not matter today, and break the node the day they do.</summary>
public sealed class ConfigInvalidRule : IAnalyzerRule
{
    /// <inheritdoc />
    public string Id => "config-invalid";

    /// <inheritdoc />
    public string Title => "A configuration file after the primary does not load";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        var primary = input.Folder.Primary;
        foreach (var name in primary.Candidates.Skip(1))
        {
            if (input.Folder.Loaded.GetValueOrDefault(name) is not { IsValid: false, Error: { } error }) continue;
            yield return new Finding
            {
                Rule = Id,
                Severity = Severity.Warning,
                File = name,
                Message = $"{name} does not load: {error}",
                Explanation = $"The runtime uses {primary.FileName} today, so pods are not affected yet. If the files before it go away "
                    + "(a CNI uninstalled, Cilium's file removed), the runtime reaches this file, fails, and the node has no network. "
                    + "Installers that patch every conflist (linkerd-cni) may also fail on it.",
                Remediation = $"Fix {name} or remove it if nothing owns it any more.",
                Evidence = [$"error: {error}"],
            };
        }
    }
}
