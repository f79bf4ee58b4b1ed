using System.Text;
using System.Text.Json.Nodes;
using CniDashboard.Shared.Kubeconfig;
using CniDashboard.Simulator.KubeApi.Auth;
using CniDashboard.Simulator.Nodes;
using CniDashboard.Simulator.Scenarios;
using Microsoft.Extensions.Logging;

namespace CniDashboard.Simulator.Installers;

/// <summary>
/// linkerd-cni's install-cni script: on start it writes <c>ZZZ-linkerd-cni-kubeconfig</c> (mode 0600)
/// with a token bound to its own pod, then patches EVERY <c>.conf</c>/<c>.conflist</c> (any
/// linkerd-cni object deleted, a new one appended; a lone <c>.conf</c> wrapped into a conflist named
/// <c>k8s-pod-network</c>); while it runs it re-patches any file someone else changed and refreshes
/// the token as the kubelet rotates it; on shutdown it removes its objects and the kubeconfig —
/// except in v1.6.0/v1.6.1, whose cleanup fails and leaves everything behind.
/// </summary>
internal sealed partial class LinkerdCniInstaller : ICniInstaller
{
    public const string KubeconfigFileName = "ZZZ-linkerd-cni-kubeconfig";
    public const string PluginType = "linkerd-cni";
    public const string WrappedNetworkName = "k8s-pod-network";
    public const string WrappedCniVersion = "0.3.0";
    public const string ServiceAccount = "linkerd-cni";

    /// <summary>Extended token lifetime the API server gives projected tokens (the reference token's exp − iat).</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromDays(365);

    private const string PluginJson = """
        {
          "name": "linkerd-cni",
          "type": "linkerd-cni",
          "log_level": "info",
          "kubernetes": {
            "kubeconfig": "/etc/cni/net.d/ZZZ-linkerd-cni-kubeconfig"
          },
          "linkerd": {
            "incoming-proxy-port": 4143,
            "outgoing-proxy-port": 4140,
            "proxy-uid": 2102,
            "ports-to-redirect": [],
            "inbound-ports-to-ignore": [
              "4191",
              "4190"
            ],
            "simulate": false,
            "use-wait-flag": false,
            "iptables-mode": "legacy",
            "ipv6": false
          }
        }
        """;

    private readonly TokenAuthority _tokens;
    private readonly Func<string, string?> _nodeUid;
    private readonly TimeSpan _tokenRefresh;
    private readonly Func<double> _timeScale;
    private readonly Action<SimulatedNode> _written;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Running> _running = new(StringComparer.Ordinal);

    /// <param name="tokens">The API server's token authority (the kubelet's projected token comes from it).</param>
    /// <param name="nodeUid">The uid of a node by name, for the token's node binding.</param>
    /// <param name="tokenRefresh">How often (simulated time) a running installer gets a fresh token.</param>
    /// <param name="timeScale">Simulated seconds per real second now.</param>
    /// <param name="written">Called after every write to a node's files.</param>
    /// <param name="logger">Where installs and cleanups are logged (never tokens).</param>
    public LinkerdCniInstaller(TokenAuthority tokens, Func<string, string?> nodeUid, TimeSpan tokenRefresh, Func<double> timeScale, Action<SimulatedNode> written, ILogger logger)
    {
        _tokens = tokens;
        _nodeUid = nodeUid;
        _tokenRefresh = tokenRefresh;
        _timeScale = timeScale;
        _written = written;
        _logger = logger;
    }

    public string DaemonSet => CniDaemonSets.LinkerdCni;

    /// <summary>Images whose shutdown cleanup fails (two watcher PIDs passed to one kill).</summary>
    public static bool HasBrokenCleanup(string image) =>
        image.EndsWith(":v1.6.0", StringComparison.Ordinal) || image.EndsWith(":v1.6.1", StringComparison.Ordinal);

    /// <summary>The plugin object linkerd-cni appends to every chain.</summary>
    public static JsonObject PluginObject() => (JsonObject)JsonNode.Parse(PluginJson)!;

    /// <summary>The kubeconfig linkerd-cni writes, holding <paramref name="token"/>.</summary>
    public static byte[] Kubeconfig(string token) =>
        Encoding.UTF8.GetBytes(ScenarioTemplates.LinkerdKubeconfig.Replace(ScenarioTemplates.TokenPlaceholder, token, StringComparison.Ordinal));

    /// <summary>A token for the linkerd-cni ServiceAccount bound to this pod (and node), as the kubelet projects it.</summary>
    public static string IssueToken(TokenAuthority tokens, string podName, string podUid, string nodeName, string? nodeUid) =>
        tokens.IssueServiceAccountToken(
            CniDaemonSets.LinkerdNamespace,
            ServiceAccount,
            pod: new BoundObjectReference(podName, podUid),
            lifetime: TokenLifetime,
            node: nodeUid is null ? null : new BoundObjectReference(nodeName, nodeUid));

    public void Start(SimulatedNode node, InstallerPod pod)
    {
        var running = new Running(pod);
        _running[node.Name] = running;
        var wrote = PluginBinaries.Install(node.BinDir, [PluginBinaries.LinkerdCni], "linkerd-cni");
        wrote |= WriteKubeconfig(node, running);
        wrote |= PatchAll(node, running, onlyChanged: false);
        LogInstalled(node.Name, pod.Name, pod.Image);
        if (wrote)
        {
            _written(node);
        }
    }

    public void Resume(SimulatedNode node, InstallerPod pod)
    {
        var running = new Running(pod);
        // The token on disk was written by this pod before the restart; refresh on its schedule.
        var kubeconfig = Path.Combine(node.CniDir, KubeconfigFileName);
        if (File.Exists(kubeconfig) && KubeconfigReader.Read(File.ReadAllText(kubeconfig)).Token?.IssuedAt is { } issuedAt)
        {
            running.TokenIssuedAt = issuedAt;
        }

        // Files as they are now are what the script saw last; only later changes make it re-patch.
        foreach (var file in ConfigFiles(node))
        {
            if (NodeFileWriter.Sha256Of(Path.Combine(node.CniDir, file)) is { } sha)
            {
                running.Written[file] = sha;
            }
        }

        _running[node.Name] = running;
    }

    public void FolderChanged(SimulatedNode node)
    {
        if (_running.TryGetValue(node.Name, out var running) && PatchAll(node, running, onlyChanged: true))
        {
            _written(node);
        }
    }

    public void Tick(SimulatedNode node, DateTimeOffset now)
    {
        if (!_running.TryGetValue(node.Name, out var running) || running.TokenIssuedAt is not { } issued || now - issued < _tokenRefresh / _timeScale())
        {
            return;
        }

        if (WriteKubeconfig(node, running))
        {
            _written(node);
        }
    }

    public void Stop(SimulatedNode node, InstallerPod pod)
    {
        if (_running.TryGetValue(node.Name, out var running) && running.Pod.Uid == pod.Uid)
        {
            _running.Remove(node.Name);
        }

        if (HasBrokenCleanup(pod.Image))
        {
            // install-cni.sh of v1.6.0 passes two watcher PIDs to one kill; the trap fails before cleanup.
            LogCleanupFailed(node.Name, pod.Name, pod.Image);
            return;
        }

        var wrote = false;
        foreach (var file in ConfigFiles(node))
        {
            var path = Path.Combine(node.CniDir, file);
            if (ConflistJson.ParseObject(ReadOrEmpty(path)) is not { } document || ConflistJson.Plugins(document) is not { } plugins)
            {
                continue;
            }

            if (ConflistJson.RemovePlugins(plugins, PluginType) > 0)
            {
                wrote |= NodeFileWriter.Write(node.CniDir, file, ConflistJson.Format(document), ModeOf(path));
            }
        }

        wrote |= NodeFileWriter.Delete(node.CniDir, KubeconfigFileName);
        LogCleanedUp(node.Name, pod.Name);
        if (wrote)
        {
            _written(node);
        }
    }

    /// <summary>The file names the script patches: <c>*.conf</c> and <c>*.conflist</c> (not <c>.json</c>), in byte order.</summary>
    private static IEnumerable<string> ConfigFiles(SimulatedNode node) =>
        Directory.Exists(node.CniDir)
            ? Directory.EnumerateFiles(node.CniDir)
                .Select(Path.GetFileName)
                .OfType<string>()
                .Where(n => (n.EndsWith(".conflist", StringComparison.Ordinal) || n.EndsWith(".conf", StringComparison.Ordinal)) && !n.StartsWith('.'))
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    private bool WriteKubeconfig(SimulatedNode node, Running running)
    {
        var token = IssueToken(_tokens, running.Pod.Name, running.Pod.Uid, node.Name, _nodeUid(node.Name));
        running.TokenIssuedAt = JwtClaimsReader.Read(token)?.IssuedAt;
        return NodeFileWriter.Write(node.CniDir, KubeconfigFileName, Kubeconfig(token), NodeFileWriter.SecretMode);
    }

    private bool PatchAll(SimulatedNode node, Running running, bool onlyChanged)
    {
        var wrote = false;
        foreach (var file in ConfigFiles(node))
        {
            var path = Path.Combine(node.CniDir, file);
            var bytes = ReadOrEmpty(path);
            if (onlyChanged && running.Written.TryGetValue(file, out var sha) && sha == NodeFileWriter.Sha256(bytes))
            {
                continue;
            }

            wrote |= Patch(node, running, file, bytes, ModeOf(path));
        }

        return wrote;
    }

    private bool Patch(SimulatedNode node, Running running, string file, byte[] bytes, UnixFileMode mode)
    {
        if (ConflistJson.ParseObject(bytes) is not { } document)
        {
            // jq fails on a file that is not a JSON object; the script logs and moves on.
            LogSkipped(node.Name, file);
            return false;
        }

        string target;
        if (file.EndsWith(".conf", StringComparison.Ordinal))
        {
            document = new JsonObject
            {
                ["name"] = WrappedNetworkName,
                ["cniVersion"] = WrappedCniVersion,
                [ConflistJson.PluginsProperty] = new JsonArray(document),
            };
            target = file + "list";
        }
        else
        {
            target = file;
        }

        if (ConflistJson.Plugins(document) is not { } plugins)
        {
            LogSkipped(node.Name, file);
            return false;
        }

        ConflistJson.RemovePlugins(plugins, PluginType);
        plugins.Add(PluginObject());
        var content = ConflistJson.Format(document);
        var wrote = NodeFileWriter.Write(node.CniDir, target, content, mode);
        running.Written[target] = NodeFileWriter.Sha256(content);
        if (target != file)
        {
            wrote |= NodeFileWriter.Delete(node.CniDir, file);
            running.Written.Remove(file);
        }

        return wrote;
    }

    private static byte[] ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static UnixFileMode ModeOf(string path)
    {
        try
        {
            return OperatingSystem.IsWindows() || !File.Exists(path) ? NodeFileWriter.ConfigMode : File.GetUnixFileMode(path);
        }
        catch (IOException)
        {
            return NodeFileWriter.ConfigMode;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "linkerd-cni {Pod} ({Image}) installed its entry and kubeconfig on {Node}")]
    private partial void LogInstalled(string node, string pod, string image);

    [LoggerMessage(Level = LogLevel.Warning, Message = "linkerd-cni {Pod} ({Image}) on {Node}: cleanup failed (known bug of this image); its entries and kubeconfig stay")]
    private partial void LogCleanupFailed(string node, string pod, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "linkerd-cni {Pod} on {Node} removed its entries and kubeconfig")]
    private partial void LogCleanedUp(string node, string pod);

    [LoggerMessage(Level = LogLevel.Warning, Message = "linkerd-cni on {Node}: {File} is not a JSON config with plugins; left as it is")]
    private partial void LogSkipped(string node, string file);

    private sealed class Running(InstallerPod pod)
    {
        public InstallerPod Pod { get; } = pod;

        /// <summary>SHA-256 of what the script last wrote to each file: a change to anything else is someone else's.</summary>
        public Dictionary<string, string> Written { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset? TokenIssuedAt { get; set; }
    }
}
