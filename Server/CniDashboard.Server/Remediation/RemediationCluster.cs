using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using CniDashboard.Shared.Remediation;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Remediation;

/// <summary>Who a cluster call is made for: the audit entry it belongs to and the plan (sent as <c>Audit-ID</c> and <c>User-Agent</c>).</summary>
/// <param name="PlanId">The plan.</param>
/// <param name="AuditSequence">The audit entry's id (the step's Begin, or the person's command).</param>
public sealed record CallFor(string PlanId, long AuditSequence);

/// <summary>A node as the prepare and release steps read it.</summary>
/// <param name="Unschedulable">Cordoned.</param>
/// <param name="ResourceVersion">The version a patch names as its precondition.</param>
/// <param name="PlanAnnotation">The plan annotation's value, when present.</param>
/// <param name="CordonedByPlan">The cordoned-by-plan annotation says <c>true</c>.</param>
public sealed record NodeReading(bool Unschedulable, string? ResourceVersion, string? PlanAnnotation, bool CordonedByPlan);

/// <summary>
/// Every write the remediation engine makes to the Kubernetes API (and the reads it needs to make
/// them safely), through KubernetesClient: node patches with a <c>resourceVersion</c> precondition,
/// pod deletes with a <c>uid</c> precondition, node Events, probe pods, the Lease, kured's lock. Each
/// call carries <c>Audit-ID</c> (the audit entry) and a user agent naming the dashboard and the plan.
/// </summary>
public sealed class RemediationCluster(IKubernetes kubernetes, IOptions<RemediationEngineOptions> options, TimeProvider time)
{
    private readonly RemediationEngineOptions _options = options.Value;

    /// <summary>The dashboard's version, as its user agent names it.</summary>
    public static string DashboardVersion { get; } =
        (typeof(RemediationCluster).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    /// <summary>The headers of a call made for <paramref name="call"/>.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Headers(CallFor call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return new Dictionary<string, IReadOnlyList<string>>
        {
            ["Audit-ID"] = [call.AuditSequence.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            ["User-Agent"] = [RemediationKeys.UserAgent(DashboardVersion, call.PlanId)],
        };
    }

    private static string? Annotation(IDictionary<string, string>? annotations, string key) =>
        annotations is not null && annotations.TryGetValue(key, out var value) ? value : null;

    /// <summary>Reads the node (cordon, version, the plan's annotations).</summary>
    public async Task<NodeReading> ReadNodeAsync(string node, CallFor call, CancellationToken cancellationToken)
    {
        using var response = await kubernetes.CoreV1.ReadNodeWithHttpMessagesAsync(node, customHeaders: Headers(call), cancellationToken: cancellationToken);
        var n = response.Body;
        var annotations = n.Metadata?.Annotations;
        return new NodeReading(
            n.Spec?.Unschedulable == true,
            n.Metadata?.ResourceVersion,
            Annotation(annotations, RemediationKeys.PlanAnnotation),
            Annotation(annotations, RemediationKeys.CordonedAnnotation) == "true");
    }

    /// <summary>
    /// Annotates the node with the plan (and whether the plan cordons it) and cordons it when asked, in
    /// one merge patch that names the version read (a node changed since answers 409 and nothing happens).
    /// </summary>
    public async Task PrepareAsync(string node, string resourceVersion, bool cordon, CallFor call, CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = resourceVersion,
                ["annotations"] = new JsonObject
                {
                    [RemediationKeys.PlanAnnotation] = call.PlanId,
                    [RemediationKeys.CordonedAnnotation] = cordon ? "true" : "false",
                },
            },
        };
        if (cordon) patch["spec"] = new JsonObject { ["unschedulable"] = true };
        await PatchNodeAsync(node, patch, call, cancellationToken);
    }

    /// <summary>Removes the plan's annotations, and the cordon when the node's annotation says the plan made it; the node read names its version.</summary>
    public async Task ReleaseAsync(string node, NodeReading reading, CallFor call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reading);
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = reading.ResourceVersion,
                ["annotations"] = new JsonObject { [RemediationKeys.PlanAnnotation] = null, [RemediationKeys.CordonedAnnotation] = null },
            },
        };
        if (reading.CordonedByPlan) patch["spec"] = new JsonObject { ["unschedulable"] = null };
        await PatchNodeAsync(node, patch, call, cancellationToken);
    }

    private async Task PatchNodeAsync(string node, JsonObject patch, CallFor call, CancellationToken cancellationToken)
    {
        using var _ = await kubernetes.CoreV1.PatchNodeWithHttpMessagesAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), node, customHeaders: Headers(call), cancellationToken: cancellationToken);
    }

    /// <summary>The component's pod on the node (not terminating), or null.</summary>
    public async Task<V1Pod?> ComponentPodAsync(RemediationComponent component, string node, CallFor call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(component);
        using var response = await kubernetes.CoreV1.ListNamespacedPodWithHttpMessagesAsync(
            component.Namespace, fieldSelector: $"spec.nodeName={node}", customHeaders: Headers(call), cancellationToken: cancellationToken);
        return response.Body.Items
            .Where(p => p.Metadata?.DeletionTimestamp is null && p.Metadata?.OwnerReferences?.Any(o => o.Kind == "DaemonSet" && o.Name == component.DaemonSet) == true)
            .OrderByDescending(p => p.Metadata.CreationTimestamp)
            .FirstOrDefault();
    }

    /// <summary>True when the pod's Ready condition is True.</summary>
    public static bool IsReady(V1Pod pod) =>
        pod?.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>Deletes the pod only if it is still the one recorded (uid precondition); gone already (or replaced) counts as done.</summary>
    public async Task DeletePodAsync(PodRef pod, CallFor call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        try
        {
            using var _ = await kubernetes.CoreV1.DeleteNamespacedPodWithHttpMessagesAsync(
                pod.Name, pod.Namespace, new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Uid } },
                customHeaders: Headers(call), cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Not found: deleted already. Conflict: a pod of that name with another uid — the replacement, never deleted.
        }
    }

    /// <summary>Creates a node Event (in <c>default</c>, named from the plan, node and moment); one that exists already counts as created.</summary>
    public async Task RecordNodeEventAsync(string node, string moment, string reason, string message, bool warning, CallFor call, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var e = new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = RemediationKeys.EventName(call.PlanId, node, moment), NamespaceProperty = "default" },
            InvolvedObject = new V1ObjectReference { Kind = "Node", Name = node, Uid = node, ApiVersion = "v1" },
            Reason = reason,
            Message = message,
            Type = warning ? "Warning" : "Normal",
            Source = new V1EventSource { Component = "cni-dashboard" },
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        try
        {
            using var _ = await kubernetes.CoreV1.CreateNamespacedEventWithHttpMessagesAsync(e, "default", customHeaders: Headers(call), cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Conflict)
        {
            // AlreadyExists: recorded before a crash.
        }
    }

    /// <summary>Creates the probe pod pinned to the node (in the dashboard's namespace); one that exists counts as created.</summary>
    public async Task CreateProbePodAsync(string name, string node, CallFor call, CancellationToken cancellationToken)
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = _options.Namespace,
                Labels = new Dictionary<string, string> { [RemediationKeys.ProbeLabel] = call.PlanId },
            },
            Spec = new V1PodSpec
            {
                NodeName = node,
                RestartPolicy = "Never",
                Tolerations = [new V1Toleration { OperatorProperty = "Exists" }],
                Containers = [new V1Container { Name = "probe", Image = _options.ProbeImage }],
            },
        };
        try
        {
            using var _ = await kubernetes.CoreV1.CreateNamespacedPodWithHttpMessagesAsync(pod, _options.Namespace, customHeaders: Headers(call), cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Conflict)
        {
            // AlreadyExists: created before a crash.
        }
    }

    /// <summary>The probe pod's phase, or null when it does not exist.</summary>
    public async Task<string?> ProbePhaseAsync(string name, CallFor call, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await kubernetes.CoreV1.ReadNamespacedPodWithHttpMessagesAsync(name, _options.Namespace, customHeaders: Headers(call), cancellationToken: cancellationToken);
            return response.Body.Status?.Phase;
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Deletes the probe pod (gone already is fine).</summary>
    public async Task DeleteProbePodAsync(string name, CallFor call, CancellationToken cancellationToken)
    {
        try
        {
            using var _ = await kubernetes.CoreV1.DeleteNamespacedPodWithHttpMessagesAsync(name, _options.Namespace, customHeaders: Headers(call), cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>The node kured's lock names (<see cref="KuredLock.Holder"/>), or null when free or when kured is not installed.</summary>
    public async Task<string?> KuredLockHolderAsync(CancellationToken cancellationToken)
    {
        try
        {
            var ds = await kubernetes.AppsV1.ReadNamespacedDaemonSetAsync(_options.KuredDaemonSet, _options.KuredNamespace, cancellationToken: cancellationToken);
            return KuredLock.Holder(Annotation(ds.Metadata?.Annotations, RemediationKeys.KuredLockAnnotation), time.GetUtcNow());
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Takes or renews the remediation Lease for this dashboard; false when another holder's lease has
    /// not expired. A write that lost a race (409) reads again and decides on what is there then, up to
    /// three times: the race is often this dashboard's own engine renewing while a person starts a plan.
    /// </summary>
    public async Task<bool> TryHoldLeaseAsync(CancellationToken cancellationToken)
    {
        // A conflict is often this dashboard itself (the engine renewing while a person starts a plan,
        // or two creates at once): read again and decide on what is there now, a few times at most.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryHoldLeaseOnceAsync(cancellationToken);
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Conflict && attempt < LeaseWriteAttempts)
            {
                // Read again.
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Conflict)
            {
                return false;
            }
        }
    }

    private const int LeaseWriteAttempts = 3;

    /// <summary>One read and, when free or ours, one write of the Lease; a write that lost a race throws the 409.</summary>
    private async Task<bool> TryHoldLeaseOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var seconds = (int)Math.Ceiling(_options.LeaseDuration.TotalSeconds);
        V1Lease? lease;
        try
        {
            lease = await kubernetes.CoordinationV1.ReadNamespacedLeaseAsync(RemediationKeys.LeaseName, _options.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            lease = null;
        }

        if (lease is null)
        {
            await kubernetes.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = RemediationKeys.LeaseName, NamespaceProperty = _options.Namespace },
                Spec = new V1LeaseSpec { HolderIdentity = _options.Identity, LeaseDurationSeconds = seconds, AcquireTime = now, RenewTime = now, LeaseTransitions = 0 },
            }, _options.Namespace, cancellationToken: cancellationToken);
            return true;
        }

        var spec = lease.Spec ??= new V1LeaseSpec();
        var ours = spec.HolderIdentity == _options.Identity;
        var free = string.IsNullOrEmpty(spec.HolderIdentity)
            || spec.RenewTime is not { } renewed
            || renewed.ToUniversalTime().AddSeconds(spec.LeaseDurationSeconds ?? seconds) <= now;
        if (!ours && !free) return false;
        if (!ours)
        {
            spec.HolderIdentity = _options.Identity;
            spec.AcquireTime = now;
            spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
        }
        spec.RenewTime = now;
        spec.LeaseDurationSeconds = seconds;
        await kubernetes.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, RemediationKeys.LeaseName, _options.Namespace, cancellationToken: cancellationToken);
        return true;
    }

    /// <summary>Whether the remediation Lease is free (absent, released or expired) or held by <paramref name="identity"/>; reads only.</summary>
    public async Task<bool> IsLeaseFreeOrHeldByAsync(string? identity, CancellationToken cancellationToken)
    {
        V1Lease lease;
        try
        {
            lease = await kubernetes.CoordinationV1.ReadNamespacedLeaseAsync(RemediationKeys.LeaseName, _options.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return true;
        }

        var spec = lease.Spec;
        if (string.IsNullOrEmpty(spec?.HolderIdentity) || spec.RenewTime is not { } renewed) return true;
        var expired = renewed.ToUniversalTime().AddSeconds(spec.LeaseDurationSeconds ?? (int)_options.LeaseDuration.TotalSeconds) <= time.GetUtcNow().UtcDateTime;
        return expired || spec.HolderIdentity == identity;
    }

    /// <summary>Gives the Lease up when this dashboard holds it (no plan runs).</summary>
    public async Task ReleaseLeaseAsync(CancellationToken cancellationToken)
    {
        try
        {
            var lease = await kubernetes.CoordinationV1.ReadNamespacedLeaseAsync(RemediationKeys.LeaseName, _options.Namespace, cancellationToken: cancellationToken);
            if (lease.Spec?.HolderIdentity != _options.Identity) return;
            lease.Spec.HolderIdentity = null;
            lease.Spec.RenewTime = null;
            await kubernetes.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, RemediationKeys.LeaseName, _options.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
        }
    }
}
