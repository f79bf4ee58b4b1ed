using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using CniDashboard.Server.Options;
using CniDashboard.Server.Store.Dapper;
using CniDashboard.Shared.Audit;
using k8s;
using Microsoft.Data.Sqlite;

namespace CniDashboard.Server.Audit;

/// <summary>
/// <c>cni-dashboard audit verify --db FILE …</c>: verifies a copy of the database (or the live file,
/// opened read-only) with no running dashboard, against a checkpoint from a file or read from the
/// cluster with a kubeconfig. Exit codes: 0 intact (or intact without a checkpoint, with a warning),
/// 1 tampered, 2 usage error or nothing could be verified (missing file, not a dashboard database,
/// the checkpoint asked for could not be read, no key to check it with).
/// </summary>
public static class AuditVerifyCommand
{
    /// <summary>Intact.</summary>
    public const int ExitIntact = 0;

    /// <summary>The chain or the checkpoint disagrees.</summary>
    public const int ExitTampered = 1;

    /// <summary>Bad arguments, or nothing could be verified.</summary>
    public const int ExitUsage = 2;

    /// <summary>The usage text.</summary>
    public const string Usage = """
        usage: cni-dashboard audit verify --db FILE [checkpoint] [--public-key FILE] [--format text|json]

          --db FILE                          the dashboard's SQLite file (opened read-only), e.g. /data/cni-dashboard.db
        checkpoint (at most one; without one, only the chain is checked):
          --checkpoint FILE                  a checkpoint's JSON, or a ConfigMap's (kubectl get configmap … -o json)
          --checkpoint-from-kubeconfig FILE  read it from the cluster: the ConfigMap's annotation
              [--context NAME] [--namespace NS (cni-dashboard)] [--configmap NAME (cni-dashboard-audit-checkpoint)]
          --public-key FILE                  PEM public (or private) key the checkpoint must be signed with;
                                             default: audit-checkpoint-key.pem beside the database
          --format text|json                 the report's form (default text)

        exit codes: 0 intact, 1 tampered, 2 usage error or could not verify
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>True for <c>audit verify …</c>.</summary>
    public static bool IsRequested(string[] args) => args is ["audit", "verify", ..];

    /// <summary>Runs the command with the arguments after <c>audit verify</c>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!TryParse(args, out var options, out var problem))
        {
            if (problem is not null) await error.WriteLineAsync($"cni-dashboard audit verify: {problem}");
            await (problem is null ? output : error).WriteAsync(Usage);
            return problem is null ? ExitIntact : ExitUsage;
        }

        try
        {
            var result = await VerifyAsync(options, cancellationToken);
            if (options.Json) await output.WriteLineAsync(JsonSerializer.Serialize(result, Json));
            else await WriteTextAsync(output, options.Database, result);
            if (result.Status == AuditVerificationStatus.Tampered) return ExitTampered;
            if (result.Status == AuditVerificationStatus.Unanchored && options.HasCheckpointSource)
            {
                await error.WriteLineAsync($"cni-dashboard audit verify: the checkpoint asked for could not be checked: {result.Warning}");
                return ExitUsage;
            }

            return ExitIntact;
        }
        catch (VerifyException e)
        {
            await error.WriteLineAsync($"cni-dashboard audit verify: {e.Message}");
            return ExitUsage;
        }
    }

    private static async Task<AuditVerification> VerifyAsync(VerifyOptions options, CancellationToken cancellationToken)
    {
        if (!File.Exists(options.Database)) throw new VerifyException($"{options.Database} does not exist");
        var key = ReadKey(options);
        try
        {
            var reading = await ReadCheckpointAsync(options, cancellationToken);
            if (reading.Checkpoint is not null && key is null)
                throw new VerifyException($"a checkpoint is checked against the dashboard's public key: pass --public-key FILE (none at {DefaultKeyPath(options.Database)})");

            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = options.Database,
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = false,
            }.ToString());
            try
            {
                await connection.OpenAsync(cancellationToken);
                await using var probe = connection.CreateCommand();
                probe.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'";
                if (Convert.ToInt64(await probe.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0)
                    throw new VerifyException($"{options.Database} is not a cni-dashboard database (it has no audit_log table)");
                return await AuditVerifier.VerifyAsync(AuditLogRepository.ReadChainAsync(connection, 0, cancellationToken), reading, key, cancellationToken);
            }
            catch (SqliteException e)
            {
                throw new VerifyException($"{options.Database} cannot be read as a SQLite database: {e.Message}");
            }
        }
        finally
        {
            key?.Dispose();
        }
    }

    private static async Task<CheckpointReading> ReadCheckpointAsync(VerifyOptions options, CancellationToken cancellationToken)
    {
        if (options.CheckpointFile is { } file)
        {
            var source = $"file {file}";
            string text;
            try
            {
                text = await File.ReadAllTextAsync(file, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VerifyException($"cannot read {file}: {e.Message}");
            }

            try
            {
                // A ConfigMap without the annotation: no checkpoint there (not a malformed one).
                if (System.Text.Json.Nodes.JsonNode.Parse(text) is System.Text.Json.Nodes.JsonObject { } map && (string?)map["kind"] == "ConfigMap"
                    && map["metadata"]?["annotations"]?[AuditCheckpointOptions.Annotation] is null)
                {
                    return new CheckpointReading(source, null);
                }

                return new CheckpointReading(source, AuditCheckpoint.Parse(text, AuditCheckpointOptions.Annotation));
            }
            catch (JsonException e)
            {
                return new CheckpointReading(source, null, Malformed: $"not JSON: {e.Message}");
            }
            catch (FormatException e)
            {
                return new CheckpointReading(source, null, Malformed: e.Message);
            }
        }

        if (options.Kubeconfig is { } kubeconfig)
        {
            if (!File.Exists(kubeconfig)) throw new VerifyException($"{kubeconfig} does not exist");
            KubernetesClientConfiguration config;
            try
            {
                config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, currentContext: options.Context);
            }
            catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException or ArgumentException)
            {
                throw new VerifyException($"{kubeconfig} cannot be used: {e.Message}");
            }

            using var kubernetes = new Kubernetes(config);
            var dashboard = new DashboardOptions();
            dashboard.Audit.Checkpoint.Namespace = options.Namespace;
            dashboard.Audit.Checkpoint.ConfigMapName = options.ConfigMap;
            return await new ConfigMapCheckpointStore(kubernetes, Microsoft.Extensions.Options.Options.Create(dashboard)).ReadAsync(cancellationToken);
        }

        return new CheckpointReading("(none given)", null, Error: "no checkpoint given (--checkpoint FILE or --checkpoint-from-kubeconfig FILE)");
    }

    private static ECDsa? ReadKey(VerifyOptions options)
    {
        var path = options.PublicKey ?? DefaultKeyPath(options.Database);
        if (options.PublicKey is null && !File.Exists(path)) return null;
        try
        {
            return AuditCheckpointKey.Read(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new VerifyException($"{path} is not an ECDSA P-256 key in PEM: {e.Message}");
        }
    }

    private static string DefaultKeyPath(string database) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(database))!, AuditCheckpointOptions.DataDirKeyFileName);

    private static async Task WriteTextAsync(TextWriter output, string database, AuditVerification result)
    {
        var c = CultureInfo.InvariantCulture;
        await output.WriteLineAsync(string.Create(c, $"audit log: {database}: {result.EntriesChecked:N0} entries checked, head entry {result.HeadSequence}{(result.HeadHash is null ? "" : $" ({result.HeadHash[..16]}…)")}"));
        if (result.Checkpoint is { } checkpoint)
        {
            await output.WriteLineAsync(string.Create(c,
                $"checkpoint: entry {checkpoint.Sequence} ({checkpoint.HeadHash[..16]}…), signed {checkpoint.SignedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z by key {checkpoint.KeyId}, from {result.CheckpointSource}; trusted key {result.TrustedKeyId}"));
        }

        var verdict = result.Status switch
        {
            AuditVerificationStatus.Intact => "INTACT",
            AuditVerificationStatus.Unanchored => $"INTACT, NOT ANCHORED: {result.Warning}",
            _ => string.Create(c, $"TAMPERED at entry {result.FirstBadSequence}: {result.Problem}"),
        };
        await output.WriteLineAsync($"result: {verdict}");
    }

    private static bool TryParse(string[] args, out VerifyOptions options, out string? problem)
    {
        options = new VerifyOptions();
        problem = null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] known = ["--db", "--checkpoint", "--checkpoint-from-kubeconfig", "--context", "--namespace", "--configmap", "--public-key", "--format"];
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help") return false;
            var (name, value) = arg.Split('=', 2) is [var n, var v] && n.StartsWith("--", StringComparison.Ordinal) ? (n, v) : (arg, null);
            if (!known.Contains(name))
            {
                problem = $"unknown argument '{arg}'";
                return false;
            }

            if (value is null)
            {
                if (i + 1 >= args.Length)
                {
                    problem = $"{name} needs a value";
                    return false;
                }

                value = args[++i];
            }

            if (!values.TryAdd(name, value))
            {
                problem = $"{name} is given twice";
                return false;
            }
        }

        if (!values.TryGetValue("--db", out var db) || string.IsNullOrWhiteSpace(db))
        {
            problem = "--db FILE is required";
            return false;
        }

        if (values.ContainsKey("--checkpoint") && values.ContainsKey("--checkpoint-from-kubeconfig"))
        {
            problem = "give --checkpoint or --checkpoint-from-kubeconfig, not both";
            return false;
        }

        if (!values.ContainsKey("--checkpoint-from-kubeconfig") && (values.ContainsKey("--context") || values.ContainsKey("--namespace") || values.ContainsKey("--configmap")))
        {
            problem = "--context, --namespace and --configmap go with --checkpoint-from-kubeconfig";
            return false;
        }

        var format = values.GetValueOrDefault("--format", "text");
        if (format is not ("text" or "json"))
        {
            problem = $"--format must be text or json (got '{format}')";
            return false;
        }

        options = new VerifyOptions
        {
            Database = db,
            CheckpointFile = values.GetValueOrDefault("--checkpoint"),
            Kubeconfig = values.GetValueOrDefault("--checkpoint-from-kubeconfig"),
            Context = values.GetValueOrDefault("--context"),
            Namespace = values.GetValueOrDefault("--namespace", "cni-dashboard"),
            ConfigMap = values.GetValueOrDefault("--configmap", AuditCheckpointOptions.DefaultConfigMapName),
            PublicKey = values.GetValueOrDefault("--public-key"),
            Json = format == "json",
        };
        return true;
    }

    private sealed record VerifyOptions
    {
        public string Database { get; init; } = "";
        public string? CheckpointFile { get; init; }
        public string? Kubeconfig { get; init; }
        public string? Context { get; init; }
        public string Namespace { get; init; } = "cni-dashboard";
        public string ConfigMap { get; init; } = AuditCheckpointOptions.DefaultConfigMapName;
        public string? PublicKey { get; init; }
        public bool Json { get; init; }
        public bool HasCheckpointSource => CheckpointFile is not null || Kubeconfig is not null;
    }

    private sealed class VerifyException(string message) : Exception(message);
}
