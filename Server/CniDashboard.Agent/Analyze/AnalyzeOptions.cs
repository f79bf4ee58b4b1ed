using System.Globalization;
using CniDashboard.Shared.Analysis;

namespace CniDashboard.Agent.Analyze;

/// <summary>How <c>analyze</c> prints its report.</summary>
public enum AnalyzeFormat
{
    /// <summary>For a terminal.</summary>
    Text,
    /// <summary>For a pipeline: <c>{"primary","chain","files","findings"}</c>.</summary>
    Json,
}

/// <summary>The parsed command line of <c>analyze</c>.</summary>
public sealed record AnalyzeOptions
{
    /// <summary>The usage text, also printed by <c>--help</c>.</summary>
    public const string Usage = """
        usage: cni-dashboard-agent analyze --dir PATH [--bin-dir PATH] [--context FILE] [--now ISO-8601]
                                           [--format text|json] [--host-cni-dir PATH]

          --dir PATH            the node's CNI folder, or a copy of it (a node dump)
          --bin-dir PATH        the node's CNI bin folder (/opt/cni/bin) or a listing copy; checks plugin binaries
          --context FILE        cluster facts for the node (JSON): pods, daemonSets, ciliumConfig, sandboxErrors
          --now ISO-8601        the time to judge token expiry against (default: now)
          --format text|json    text for a terminal (default), json for a pipeline
          --host-cni-dir PATH   the folder's path on the host, as plugin configs name it (default /etc/cni/net.d)

        exit codes: 0 nothing above info, 1 warnings, 2 critical, 64 usage error, 66 unreadable input
        """;

    /// <summary>The CNI folder to read.</summary>
    public required string Dir { get; init; }

    /// <summary>The CNI bin folder, when given.</summary>
    public string? BinDir { get; init; }

    /// <summary>The cluster-context JSON file, when given.</summary>
    public string? ContextFile { get; init; }

    /// <summary>The time to judge against, when given.</summary>
    public DateTimeOffset? Now { get; init; }

    /// <summary>The output format.</summary>
    public AnalyzeFormat Format { get; init; } = AnalyzeFormat.Text;

    /// <summary>The folder's path on the host.</summary>
    public string HostCniDir { get; init; } = CniAnalyzer.DefaultHostCniDir;

    /// <summary>True when <c>--help</c> was asked for.</summary>
    public bool Help { get; init; }

    /// <summary>Parses arguments (<c>--name value</c> or <c>--name=value</c>); on failure, says why in <paramref name="error"/>.</summary>
    public static AnalyzeOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h") return new AnalyzeOptions { Dir = "", Help = true };
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"unexpected argument '{arg}'";
                return null;
            }

            string name, value;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                (name, value) = (arg[2..eq], arg[(eq + 1)..]);
            }
            else
            {
                name = arg[2..];
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    error = $"--{name} needs a value";
                    return null;
                }
                value = args[++i];
            }

            if (name is not ("dir" or "bin-dir" or "context" or "now" or "format" or "host-cni-dir"))
            {
                error = $"unknown option --{name}";
                return null;
            }
            if (!values.TryAdd(name, value))
            {
                error = $"--{name} given twice";
                return null;
            }
            if (value.Length == 0)
            {
                error = $"--{name} needs a value";
                return null;
            }
        }

        if (!values.TryGetValue("dir", out var dir))
        {
            error = "--dir is required";
            return null;
        }

        var format = AnalyzeFormat.Text;
        if (values.TryGetValue("format", out var formatText))
        {
            switch (formatText)
            {
                case "text": format = AnalyzeFormat.Text; break;
                case "json": format = AnalyzeFormat.Json; break;
                default:
                    error = $"--format must be text or json, not '{formatText}'";
                    return null;
            }
        }

        DateTimeOffset? now = null;
        if (values.TryGetValue("now", out var nowText))
        {
            if (!DateTimeOffset.TryParse(nowText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                error = $"--now must be an ISO-8601 time such as 2026-11-20T09:30:00Z, not '{nowText}'";
                return null;
            }
            now = parsed;
        }

        var hostCniDir = values.GetValueOrDefault("host-cni-dir") ?? CniAnalyzer.DefaultHostCniDir;
        if (!hostCniDir.StartsWith('/'))
        {
            error = "--host-cni-dir must be an absolute path";
            return null;
        }

        return new AnalyzeOptions
        {
            Dir = dir,
            BinDir = values.GetValueOrDefault("bin-dir"),
            ContextFile = values.GetValueOrDefault("context"),
            Now = now,
            Format = format,
            HostCniDir = hostCniDir,
        };
    }
}
