using System.Reflection;

namespace CniDashboard.Simulator.Scenarios;

/// <summary>
/// The node files scenarios are seeded from, embedded in the assembly: the reference folders of a
/// healthy and an incident node, what aws-node writes on a fresh node, and the linkerd-cni
/// kubeconfig with a placeholder where the installer puts a token it was just issued.
/// </summary>
internal static class ScenarioTemplates
{
    /// <summary>The placeholder the token replaces in <see cref="LinkerdKubeconfig"/>.</summary>
    public const string TokenPlaceholder = "{{TOKEN}}";

    private static readonly Assembly Assembly = typeof(ScenarioTemplates).Assembly;

    /// <summary><c>05-cilium.conflist</c> of a healthy node (byte-for-byte the incident node's too).</summary>
    public static byte[] HealthyCilium { get; } = Load("healthy/05-cilium.conflist");

    /// <summary><c>10-aws.conflist</c> of a healthy node, patched by linkerd-cni.</summary>
    public static byte[] HealthyAws { get; } = Load("healthy/10-aws.conflist");

    /// <summary><c>05-cilium.conflist</c> of an incident node: the stale linkerd-cni entry is chained.</summary>
    public static byte[] IncidentCilium { get; } = Load("incident/05-cilium.conflist");

    /// <summary><c>10-aws.conflist</c> of an incident node.</summary>
    public static byte[] IncidentAws { get; } = Load("incident/10-aws.conflist");

    /// <summary>What aws-node writes into an empty folder (its template, before any mesh patched it).</summary>
    public static byte[] AwsNodeConflist { get; } = Load("aws-node/10-aws.conflist");

    /// <summary>The linkerd-cni kubeconfig with <see cref="TokenPlaceholder"/> for the token.</summary>
    public static string LinkerdKubeconfig { get; } = System.Text.Encoding.UTF8.GetString(Load("ZZZ-linkerd-cni-kubeconfig"));

    private static byte[] Load(string name)
    {
        using var stream = Assembly.GetManifestResourceStream("Templates/" + name)
            ?? throw new InvalidOperationException($"The simulator was built without its template {name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
