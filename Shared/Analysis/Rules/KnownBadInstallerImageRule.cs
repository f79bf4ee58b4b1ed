namespace CniDashboard.Shared.Analysis.Rules;

/// <summary>Failure mode 2: linkerd-cni's installer v1.6.0/v1.6.1 (chart 2025.2.x), whose shutdown cleanup leaves its plugin entry behind.</summary>
public sealed class KnownBadInstallerImageRule : IAnalyzerRule
{
    private static readonly Version[] BadVersions = [new(1, 6, 0), new(1, 6, 1)];

    /// <inheritdoc />
    public string Id => "known-bad-installer-image";

    /// <inheritdoc />
    public string Title => "linkerd-cni installer v1.6.0/v1.6.1 is running or being replaced: its cleanup leaves stale entries";

    /// <inheritdoc />
    public IEnumerable<Finding> Evaluate(AnalysisInput input)
    {
        var mesh = MeshCni.Linkerd;
        var template = ImageRef.Parse(mesh.DaemonSetIn(input.Context)?.Image);
        var templateBad = IsBad(template);
        foreach (var pod in mesh.PodsOn(input.Context))
        {
            var image = ImageRef.Parse(pod.Image);
            if (!IsBad(image)) continue;
            var replacing = template is { Version: not null } && !templateBad;
            yield return new Finding
            {
                Rule = Id,
                Severity = Severity.Warning,
                Plugin = mesh.PluginType,
                Message = replacing
                    ? $"Pod {pod.Name} runs {image} and is being replaced by {template}: its broken cleanup will leave a stale linkerd-cni entry"
                    : $"Pod {pod.Name} runs {image}, whose cleanup leaves its linkerd-cni entry behind",
                Explanation = "linkerd-cni v1.6.0 and v1.6.1 (chart 2025.2.x) pass two watcher PIDs to one kill on shutdown, so the cleanup fails and the "
                    + "linkerd-cni object stays in every conflist with a token bound to the deleted pod. Upgrading FROM these versions still runs the broken cleanup "
                    + "in the old pods: after the upgrade, new pods on the node fail with \"plugin type=linkerd-cni failed (add): Unauthorized\".",
                Remediation = "Upgrade to v1.6.2 (chart 2025.3.1) or later. During and after the rollout, check each node for a linkerd-cni entry whose token "
                    + "is bound to the old pod (rule mesh-token-pod-gone); remove it and restart the new pod, one node at a time.",
                Evidence = [RuleInput.Describe(pod), .. template is null ? Array.Empty<string>() : [$"DaemonSet template image: {template}"]],
            };
        }

        if (templateBad && mesh.DaemonSetIn(input.Context) is { } ds)
        {
            yield return new Finding
            {
                Rule = Id,
                Severity = Severity.Warning,
                Plugin = mesh.PluginType,
                Message = $"DaemonSet {ds.Namespace}/{ds.Name} deploys {template}, whose cleanup leaves its linkerd-cni entry behind",
                Explanation = "Every pod of this DaemonSet that is deleted or upgraded leaves a linkerd-cni object with a revoked token in the node's conflists, "
                    + "and the node's pods then fail to start with Unauthorized.",
                Remediation = "Upgrade linkerd-cni to v1.6.2 (chart 2025.3.1) or later before the next restart or node drain.",
                Evidence = [RuleInput.Describe(ds)],
            };
        }
    }

    /// <summary>True for an image of linkerd-cni's installer whose cleanup leaves its entries behind (v1.6.0, v1.6.1).</summary>
    internal static bool IsBad(ImageRef? image) =>
        image is { Version: { } v } && image.Is(MeshCni.Linkerd.InstallerImage) && BadVersions.Any(b => b.Major == v.Major && b.Minor == v.Minor && b.Build == Math.Max(v.Build, 0));
}
