using System.Text.Json;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Json;

namespace CniDashboard.Shared.Tests.Analysis;

/// <summary>A node's folder, binaries, cluster facts and clock, built from the reference fixtures.</summary>
internal sealed record Scenario(
    IReadOnlyList<CniFolderFile> Files,
    NodeClusterContext? Context = null,
    IReadOnlyList<PluginBinary>? Binaries = null,
    DateTimeOffset? Now = null,
    string HostCniDir = CniAnalyzer.DefaultHostCniDir)
{
    /// <summary>Shortly after the incident's first sandbox failure.</summary>
    public static readonly DateTimeOffset IncidentTime = new(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);

    public const string CiliumConflist = "05-cilium.conflist";
    public const string AwsConflist = "10-aws.conflist";
    public const string KubeconfigFile = "ZZZ-linkerd-cni-kubeconfig";

    public static string HealthyCilium => Fixture.Text($"nodes/healthy/{CiliumConflist}");
    public static string HealthyAws => Fixture.Text($"nodes/healthy/{AwsConflist}");
    public static string HealthyKubeconfig => Fixture.Text($"nodes/healthy/{KubeconfigFile}");
    public static string IncidentKubeconfig => Fixture.Text($"nodes/incident/{KubeconfigFile}");

    public static NodeClusterContext HealthyContext => LoadContext("healthy");
    public static NodeClusterContext IncidentContext => LoadContext("incident");

    public static IReadOnlyList<PluginBinary> AllBinaries =>
        new[] { "aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni", "host-local", "loopback" }.Select(n => new PluginBinary(n, 1000, null)).ToArray();

    public static Scenario Healthy(bool withContext = true) =>
        new(Fixture.Node("healthy"), withContext ? HealthyContext : null);

    public static Scenario Incident(bool withContext = true) =>
        new(Fixture.Node("incident"), withContext ? IncidentContext : null);

    /// <summary>The healthy folder with files replaced (null text removes the file) or added.</summary>
    public static Scenario HealthyWith(NodeClusterContext? context, params (string Name, string? Text)[] changes)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [CiliumConflist] = HealthyCilium,
            [AwsConflist] = HealthyAws,
            [KubeconfigFile] = HealthyKubeconfig,
        };
        foreach (var (name, text) in changes)
        {
            if (text is null) texts.Remove(name);
            else texts[name] = text;
        }
        return new Scenario(Fixture.Folder(texts), context);
    }

    public static Scenario Of(NodeClusterContext? context, params (string Name, string Text)[] files) => new(Fixture.Folder(files), context);

    public AnalysisReport Run() => CniAnalyzer.Default.Analyze(Files, Binaries, Context, Now ?? IncidentTime, HostCniDir);

    public static NodeClusterContext LoadContext(string name) =>
        JsonSerializer.Deserialize(Fixture.Text($"contexts/{name}.json"), CniJsonContext.Default.NodeClusterContext)!;

    /// <summary>A conflist text without its linkerd-cni object, cut out by the plugin's span.</summary>
    public static string WithoutLinkerd(string conflist)
    {
        var config = CniConfigParser.Load("x.conflist", conflist).Config!;
        var linkerd = config.Plugins.Single(p => p.Type == "linkerd-cni");
        var previous = config.Plugins[linkerd.Index - 1];
        return conflist[..previous.Span.End] + conflist[linkerd.Span.End..];
    }

    /// <summary>A conflist text without the first plugin object of <paramref name="type"/>, cut out by its span (with the comma that joined it).</summary>
    public static string WithoutPlugin(string conflist, string type)
    {
        var config = CniConfigParser.Load("x.conflist", conflist).Config!;
        var plugin = config.Plugins.First(p => p.Type == type);
        return plugin.Index == 0
            ? conflist[..plugin.Span.Start] + conflist[config.Plugins[1].Span.Start..]
            : conflist[..config.Plugins[plugin.Index - 1].Span.End] + conflist[plugin.Span.End..];
    }

    /// <summary>The text of the linkerd-cni object of a conflist.</summary>
    public static string LinkerdObject(string conflist)
    {
        var config = CniConfigParser.Load("x.conflist", conflist).Config!;
        var span = config.Plugins.Single(p => p.Type == "linkerd-cni").Span;
        return conflist.Substring(span.Start, span.Length);
    }
}
