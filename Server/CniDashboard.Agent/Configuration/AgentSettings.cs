using System.Globalization;
using System.Net;
using CniDashboard.Agent.Auth;
using CniDashboard.Shared.Cni;

namespace CniDashboard.Agent.Configuration;

/// <summary>How callers are authenticated.</summary>
public enum AgentAuthMode
{
    /// <summary>Not chosen: the agent refuses to start.</summary>
    None,
    /// <summary>One shared token from a file (simulated clusters, tests).</summary>
    Static,
    /// <summary>Kubernetes TokenReview against the API server (production).</summary>
    TokenReview,
}

/// <summary>
/// The agent's configuration from flags (<c>--cni-dir PATH</c> or <c>--cni-dir=PATH</c>) and
/// environment variables that mirror them (<c>CNI_DIR</c>); a flag wins over its variable.
/// </summary>
public sealed record AgentSettings
{
    /// <summary>In-cluster ServiceAccount token path.</summary>
    public const string InClusterTokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token";

    /// <summary>In-cluster CA path.</summary>
    public const string InClusterCaFile = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";

    /// <summary>Every flag, for the usage line; each has the environment variable of its name upper-cased.</summary>
    public static readonly IReadOnlyList<string> Flags =
    [
        "cni-dir", "bin-dir", "backup-dir", "host-cni-dir", "listen", "node-name", "auth-mode", "token-file",
        "kube-api", "kube-ca", "kube-token-file", "allowed-usernames", "audience", "rescan-interval",
        "max-backups", "max-pinned-backups", "max-backup-age", "watch", "tls-cert", "tls-key", "allow-insecure-http",
        "pod-name", "pod-namespace", "announce",
    ];

    /// <summary>Switches that may stand alone (<c>--allow-insecure-http</c> means <c>--allow-insecure-http=true</c>).</summary>
    private static readonly string[] Switches = ["allow-insecure-http"];

    /// <summary>The CNI folder as mounted (<c>--cni-dir</c>).</summary>
    public string CniDir { get; init; } = "/host/etc/cni/net.d";

    /// <summary>The plugin folder as mounted, read only (<c>--bin-dir</c>).</summary>
    public string BinDir { get; init; } = "/host/opt/cni/bin";

    /// <summary>Backups and the change journal (<c>--backup-dir</c>), never inside the CNI folder.</summary>
    public string BackupDir { get; init; } = "/var/lib/cni-dashboard/backups";

    /// <summary>The CNI folder's path on the host, shown in snapshots (<c>--host-cni-dir</c>).</summary>
    public string HostCniDir { get; init; } = "/etc/cni/net.d";

    /// <summary>Where to listen (<c>--listen</c>).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Any, 9440);

    /// <summary>The node's name (<c>--node-name</c>, or <c>NODE_NAME</c> from the downward API).</summary>
    public string NodeName { get; init; } = "";

    /// <summary><c>--auth-mode static|tokenreview</c>.</summary>
    public AgentAuthMode AuthMode { get; init; }

    /// <summary>The shared token of mode static (<c>--token-file</c>).</summary>
    public string? TokenFile { get; init; }

    /// <summary>The API server for TokenReviews (<c>--kube-api</c>; in-cluster default).</summary>
    public Uri? KubeApi { get; init; }

    /// <summary>The API server's CA (<c>--kube-ca</c>; in-cluster default).</summary>
    public string? KubeCa { get; init; }

    /// <summary>The agent's own ServiceAccount token (<c>--kube-token-file</c>; in-cluster default).</summary>
    public string KubeTokenFile { get; init; } = InClusterTokenFile;

    /// <summary>Usernames allowed in mode tokenreview (<c>--allowed-usernames a,b</c>).</summary>
    public IReadOnlyList<string> AllowedUsernames { get; init; } = [TokenReviewOptions.DefaultAllowedUsername];

    /// <summary>The audience tokens must be valid for (<c>--audience</c>).</summary>
    public string Audience { get; init; } = TokenReviewOptions.DefaultAudience;

    /// <summary>Safety-net rescan (<c>--rescan-interval SECONDS</c>; 0 turns it off).</summary>
    public TimeSpan RescanInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Unpinned backups kept (<c>--max-backups</c>).</summary>
    public int MaxBackups { get; init; } = 50;

    /// <summary>Backups that may be pinned at once (<c>--max-pinned-backups</c>); pinned ones are never pruned.</summary>
    public int MaxPinnedBackups { get; init; } = 100;

    /// <summary>Backups' longest life (<c>--max-backup-age DAYS</c>).</summary>
    public TimeSpan MaxBackupAge { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Watch the folders with inotify (<c>--watch true|false</c>).</summary>
    public bool Watch { get; init; } = true;

    /// <summary>PEM certificate to serve TLS with (<c>--tls-cert</c>), optionally followed by its intermediates; null serves plain HTTP.</summary>
    public string? TlsCertFile { get; init; }

    /// <summary>PEM private key of <see cref="TlsCertFile"/> (<c>--tls-key</c>).</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary>
    /// Lets mode tokenreview run without TLS (<c>--allow-insecure-http</c>): the dashboard's token would
    /// then cross the node network in clear text. For test clusters only.
    /// </summary>
    public bool AllowInsecureHttp { get; init; }

    /// <summary>The agent's own Pod (<c>--pod-name</c>, or <c>POD_NAME</c> from the downward API); its annotation carries the announcements.</summary>
    public string? PodName { get; init; }

    /// <summary>The agent Pod's namespace (<c>--pod-namespace</c>, or <c>POD_NAMESPACE</c>).</summary>
    public string? PodNamespace { get; init; }

    /// <summary>
    /// Announce the manifest hash on the agent's Pod (<c>--announce true|false</c>; default true when
    /// the Pod is named). Needs the API server (<c>--kube-api</c> or in-cluster) and the agent's token.
    /// </summary>
    public bool Announce { get; init; }

    /// <summary>True when the agent serves TLS.</summary>
    public bool ServesTls => TlsCertFile is not null;

    /// <summary>
    /// Reads and checks the settings; returns an error sentence (for one line on stderr) instead of
    /// settings that would run unsafely or not at all.
    /// </summary>
    public static AgentSettings Parse(IReadOnlyList<string> args, Func<string, string?> environment, out string? error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var flag in Flags)
        {
            if (environment(flag.ToUpperInvariant().Replace('-', '_')) is { Length: > 0 } fromEnv) values[flag] = fromEnv;
        }
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"unexpected argument '{arg}' (flags: --{string.Join(", --", Flags)})";
                return new AgentSettings();
            }
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? arg[2..] : arg[2..eq];
            if (!Flags.Contains(name))
            {
                error = $"unknown flag --{name} (flags: --{string.Join(", --", Flags)})";
                return new AgentSettings();
            }
            if (eq >= 0) values[name] = arg[(eq + 1)..];
            else if (Switches.Contains(name) && (i + 1 == args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))) values[name] = "true";
            else if (i + 1 < args.Count) values[name] = args[++i];
            else
            {
                error = $"--{name} needs a value";
                return new AgentSettings();
            }
        }

        var settings = new AgentSettings();
        error = Build(values, environment, ref settings);
        return settings;
    }

    private static string? Build(Dictionary<string, string> v, Func<string, string?> environment, ref AgentSettings s)
    {
        s = s with
        {
            CniDir = v.GetValueOrDefault("cni-dir", s.CniDir),
            BinDir = v.GetValueOrDefault("bin-dir", s.BinDir),
            BackupDir = v.GetValueOrDefault("backup-dir", s.BackupDir),
            HostCniDir = v.GetValueOrDefault("host-cni-dir", s.HostCniDir),
            NodeName = v.GetValueOrDefault("node-name", s.NodeName).Trim(),
            TokenFile = v.GetValueOrDefault("token-file"),
            KubeCa = v.GetValueOrDefault("kube-ca"),
            KubeTokenFile = v.GetValueOrDefault("kube-token-file", s.KubeTokenFile),
            Audience = v.GetValueOrDefault("audience", s.Audience),
            TlsCertFile = v.GetValueOrDefault("tls-cert"),
            TlsKeyFile = v.GetValueOrDefault("tls-key"),
            PodName = v.GetValueOrDefault("pod-name") is { Length: > 0 } pod ? pod.Trim() : null,
            PodNamespace = v.GetValueOrDefault("pod-namespace") is { Length: > 0 } podNs ? podNs.Trim() : null,
        };

        if (v.TryGetValue("listen", out var listen))
        {
            if (!IPEndPoint.TryParse(listen, out var endpoint) || !listen.Contains(':', StringComparison.Ordinal))
                return $"--listen '{listen}' is not an address:port (e.g. 0.0.0.0:9440 or [::]:9440)";
            s = s with { Listen = endpoint };
        }
        if (v.TryGetValue("allowed-usernames", out var users))
        {
            var list = users.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (list.Length == 0) return "--allowed-usernames names no user";
            s = s with { AllowedUsernames = list };
        }
        if (v.TryGetValue("rescan-interval", out var rescan))
        {
            if (!int.TryParse(rescan, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return $"--rescan-interval '{rescan}' is not a whole number of seconds";
            s = s with { RescanInterval = seconds == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(seconds) };
        }
        if (v.TryGetValue("max-backups", out var maxBackups))
        {
            if (!int.TryParse(maxBackups, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1) return $"--max-backups '{maxBackups}' must be a whole number of at least 1";
            s = s with { MaxBackups = count };
        }
        if (v.TryGetValue("max-pinned-backups", out var maxPinned))
        {
            if (!int.TryParse(maxPinned, NumberStyles.None, CultureInfo.InvariantCulture, out var count)) return $"--max-pinned-backups '{maxPinned}' must be a whole number";
            s = s with { MaxPinnedBackups = count };
        }
        if (v.TryGetValue("max-backup-age", out var maxAge))
        {
            if (!int.TryParse(maxAge, NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days < 1) return $"--max-backup-age '{maxAge}' must be a whole number of days, at least 1";
            s = s with { MaxBackupAge = TimeSpan.FromDays(days) };
        }
        if (v.TryGetValue("watch", out var watch))
        {
            if (!bool.TryParse(watch, out var on)) return $"--watch '{watch}' must be true or false";
            s = s with { Watch = on };
        }
        if (v.TryGetValue("allow-insecure-http", out var insecure))
        {
            if (!bool.TryParse(insecure, out var allowed)) return $"--allow-insecure-http '{insecure}' must be true or false";
            s = s with { AllowInsecureHttp = allowed };
        }

        s = s with { Announce = s.PodName is not null };
        if (v.TryGetValue("announce", out var announce))
        {
            if (!bool.TryParse(announce, out var on)) return $"--announce '{announce}' must be true or false";
            s = s with { Announce = on };
        }

        if (s.NodeName.Length == 0 && environment("NODE_NAME") is { Length: > 0 } nodeFromEnv) s = s with { NodeName = nodeFromEnv.Trim() };
        if (s.NodeName.Length == 0) return "no node name: set --node-name or NODE_NAME (downward API spec.nodeName)";

        var cniDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(s.CniDir));
        if (!Directory.Exists(cniDir)) return $"CNI folder {cniDir} does not exist (--cni-dir)";
        var backupDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(s.BackupDir));
        if (backupDir == cniDir || CniFolderReader.IsInside(cniDir, backupDir) || IsInsideResolved(cniDir, backupDir))
            return $"backup folder {backupDir} is inside the CNI folder {cniDir}; the runtime could load a backup (--backup-dir)";

        var authError = v.GetValueOrDefault("auth-mode") switch
        {
            null or "" => "no auth mode: set --auth-mode static (with --token-file) or --auth-mode tokenreview; the agent never runs unauthenticated",
            "static" => CheckStatic(ref s),
            "tokenreview" => CheckTokenReview(v, environment, ref s),
            var other => $"--auth-mode '{other}' is not static or tokenreview",
        };
        return authError ?? CheckTls(s) ?? CheckAnnounce(v, environment, ref s);
    }

    private static string? CheckAnnounce(Dictionary<string, string> v, Func<string, string?> environment, ref AgentSettings s)
    {
        if (!s.Announce) return null;
        if (s.PodName is null || s.PodNamespace is null)
            return "--announce needs the agent's own Pod: set --pod-name and --pod-namespace (or POD_NAME and POD_NAMESPACE from the downward API)";
        if (s.KubeApi is null && ResolveKubeApi(v, environment, ref s) is { } error) return error.Replace("--auth-mode tokenreview", "--announce", StringComparison.Ordinal);
        return CheckApiFiles(ref s);
    }

    private static string? CheckTls(AgentSettings s)
    {
        if ((s.TlsCertFile is null) != (s.TlsKeyFile is null)) return "--tls-cert and --tls-key go together: give both (PEM files) or neither";
        if (s.TlsCertFile is not null)
        {
            if (!File.Exists(s.TlsCertFile)) return $"TLS certificate {s.TlsCertFile} does not exist (--tls-cert)";
            if (!File.Exists(s.TlsKeyFile)) return $"TLS key {s.TlsKeyFile} does not exist (--tls-key)";
            return null;
        }
        // Mode tokenreview accepts the dashboard's real ServiceAccount token, which also authorizes
        // writes to every node: in clear text on the node network anyone could sniff and replay it.
        if (s.AuthMode == AgentAuthMode.TokenReview && !s.AllowInsecureHttp)
            return "--auth-mode tokenreview needs TLS: give --tls-cert and --tls-key (the dashboard's token must not cross the node network in clear text), or --allow-insecure-http on a test cluster";
        return null;
    }

    private static string? CheckStatic(ref AgentSettings s)
    {
        s = s with { AuthMode = AgentAuthMode.Static };
        if (s.TokenFile is null) return "--auth-mode static needs --token-file";
        if (!File.Exists(s.TokenFile)) return $"token file {s.TokenFile} does not exist (--token-file)";
        if (File.ReadAllText(s.TokenFile).Trim().Length == 0) return $"token file {s.TokenFile} is empty (--token-file)";
        return null;
    }

    private static string? CheckTokenReview(Dictionary<string, string> v, Func<string, string?> environment, ref AgentSettings s)
    {
        s = s with { AuthMode = AgentAuthMode.TokenReview };
        return ResolveKubeApi(v, environment, ref s) ?? CheckApiFiles(ref s);
    }

    /// <summary>The agent's own token and the cluster CA, for calls to the API server.</summary>
    private static string? CheckApiFiles(ref AgentSettings s)
    {
        if (!File.Exists(s.KubeTokenFile)) return $"ServiceAccount token {s.KubeTokenFile} does not exist (--kube-token-file)";
        if (s.KubeCa is null && File.Exists(InClusterCaFile)) s = s with { KubeCa = InClusterCaFile };
        if (s.KubeCa is not null && !File.Exists(s.KubeCa)) return $"CA file {s.KubeCa} does not exist (--kube-ca)";
        return null;
    }

    private static string? ResolveKubeApi(Dictionary<string, string> v, Func<string, string?> environment, ref AgentSettings s)
    {
        string? api = v.GetValueOrDefault("kube-api");
        if (api is null && environment("KUBERNETES_SERVICE_HOST") is { Length: > 0 } host)
        {
            var port = environment("KUBERNETES_SERVICE_PORT") is { Length: > 0 } p ? p : "443";
            api = $"https://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}";
        }
        if (api is null) return "--auth-mode tokenreview needs the API server: --kube-api URL (or run in-cluster with KUBERNETES_SERVICE_HOST)";
        if (!Uri.TryCreate(api, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return $"--kube-api '{api}' is not an http(s) URL";
        s = s with { KubeApi = uri };
        return null;
    }

    /// <summary>Catches a backup folder reached through a link into the CNI folder.</summary>
    private static bool IsInsideResolved(string cniDir, string backupDir)
    {
        var real = RealPath(backupDir);
        var realCni = RealPath(cniDir);
        return real == realCni || CniFolderReader.IsInside(realCni, real);
    }

    private static string RealPath(string path)
    {
        // Resolve links component by component; the part that does not exist yet stays as written.
        var current = Path.GetPathRoot(Path.GetFullPath(path)) ?? "/";
        foreach (var part in Path.GetFullPath(path)[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            var info = new DirectoryInfo(next);
            if (info.LinkTarget is not null) next = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? next;
            current = next;
        }
        return Path.TrimEndingDirectorySeparator(current);
    }
}
