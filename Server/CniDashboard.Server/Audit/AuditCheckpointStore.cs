using System.Net;
using System.Text.Json.Nodes;
using CniDashboard.Server.Options;
using CniDashboard.Shared.Audit;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Audit;

/// <summary>What reading the checkpoint found.</summary>
/// <param name="Source">Where it was read, e.g. <c>configmap cni-dashboard/cni-dashboard-audit-checkpoint</c>.</param>
/// <param name="Checkpoint">The checkpoint; null when there is none (or it could not be read).</param>
/// <param name="Error">Why it could not be read (API unreachable, ConfigMap missing, forbidden); null when read.</param>
/// <param name="Malformed">Why the value found is not a checkpoint (damaged or forged); null when it is one.</param>
public sealed record CheckpointReading(string Source, AuditCheckpoint? Checkpoint, string? Error = null, string? Malformed = null);

/// <summary>Where checkpoints are kept outside the database.</summary>
public interface IAuditCheckpointStore
{
    /// <summary>Where, in words.</summary>
    string Location { get; }

    /// <summary>Reads the current checkpoint; never throws for an unreachable or refusing store (see <see cref="CheckpointReading.Error"/>).</summary>
    Task<CheckpointReading> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the checkpoint. Throws when the store refuses or cannot be reached.</summary>
    Task WriteAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken);
}

/// <summary>
/// The checkpoint as an annotation on one ConfigMap in the dashboard's namespace, through
/// KubernetesClient: <c>get</c> to read, a merge <c>patch</c> of that one annotation to write — the
/// two verbs the chart's Role grants on that one name. The ConfigMap is the chart's; the dashboard
/// never creates one (RBAC cannot limit <c>create</c> to a name).
/// <para>
/// Why a ConfigMap and not a Lease: a Lease is a lock whose holder fields leader-election code
/// rewrites (the remediation Lease and leader election use Leases); a ConfigMap is the plain object
/// for small data, readable with <c>kubectl get configmap -o yaml</c>, and nothing else writes it.
/// </para>
/// </summary>
public sealed class ConfigMapCheckpointStore(IKubernetes kubernetes, IOptions<DashboardOptions> options) : IAuditCheckpointStore
{
    private readonly AuditCheckpointOptions _options = options.Value.Audit.Checkpoint;

    /// <inheritdoc />
    public string Location => $"configmap {_options.Namespace}/{_options.ConfigMapName}";

    /// <inheritdoc />
    public async Task<CheckpointReading> ReadAsync(CancellationToken cancellationToken)
    {
        V1ConfigMap map;
        try
        {
            map = await kubernetes.CoreV1.ReadNamespacedConfigMapAsync(_options.ConfigMapName, _options.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e)
        {
            return new CheckpointReading(Location, null, Error: Describe(e));
        }
        catch (HttpRequestException e)
        {
            return new CheckpointReading(Location, null, Error: $"the Kubernetes API could not be reached: {e.Message}");
        }

        return Parse(map, Location);
    }

    /// <summary>The checkpoint in a ConfigMap's annotation.</summary>
    public static CheckpointReading Parse(V1ConfigMap map, string source)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Metadata?.Annotations?.TryGetValue(AuditCheckpointOptions.Annotation, out var json) != true || string.IsNullOrWhiteSpace(json))
            return new CheckpointReading(source, null);
        try
        {
            return new CheckpointReading(source, AuditCheckpoint.Parse(json));
        }
        catch (FormatException e)
        {
            return new CheckpointReading(source, null, Malformed: e.Message);
        }
    }

    /// <inheritdoc />
    public async Task WriteAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [AuditCheckpointOptions.Annotation] = checkpoint.ToJson() } },
        };
        try
        {
            await kubernetes.CoreV1.PatchNamespacedConfigMapAsync(
                new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), _options.ConfigMapName, _options.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e)
        {
            throw new InvalidOperationException(Describe(e), e);
        }
    }

    private string Describe(HttpOperationException e) => e.Response.StatusCode switch
    {
        HttpStatusCode.NotFound => $"{Location} does not exist (the Helm chart creates it; apply the chart or create the ConfigMap)",
        HttpStatusCode.Forbidden => $"the dashboard may not read or patch {Location} (the chart's Role grants get and patch on it)",
        var code => $"the Kubernetes API answered {(int)code} for {Location}",
    };
}
