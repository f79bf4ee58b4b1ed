using System.Globalization;
using k8s.Models;

namespace CniDashboard.Simulator.KubeApi.Store;

/// <summary>The models of the resources the emulator stores, with the field selectors the real server supports for each.</summary>
internal static class ResourceModels
{
    /// <summary>Index of pods by the uid of their controller (the DaemonSet that owns them).</summary>
    public const string ControllerUidIndex = "metadata.ownerReferences.controller.uid";

    public static ResourceModel<V1Node> Nodes { get; } = new()
    {
        Resource = KubeResource.Nodes,
        Fields = new Dictionary<string, Func<V1Node, string>>
        {
            ["spec.unschedulable"] = n => Bool(n.Spec?.Unschedulable ?? false),
        },
        CopyStatus = (from, to) => to.Status = from.Status,
    };

    public static ResourceModel<V1Pod> Pods { get; } = new()
    {
        Resource = KubeResource.Pods,
        Fields = new Dictionary<string, Func<V1Pod, string>>
        {
            ["spec.nodeName"] = p => p.Spec?.NodeName ?? "",
            ["spec.restartPolicy"] = p => p.Spec?.RestartPolicy ?? "",
            ["spec.schedulerName"] = p => p.Spec?.SchedulerName ?? "",
            ["spec.serviceAccountName"] = p => p.Spec?.ServiceAccountName ?? "",
            ["spec.hostNetwork"] = p => Bool(p.Spec?.HostNetwork ?? false),
            ["status.phase"] = p => p.Status?.Phase ?? "",
            ["status.podIP"] = p => p.Status?.PodIP ?? "",
            ["status.nominatedNodeName"] = p => p.Status?.NominatedNodeName ?? "",
        },
        IndexedFields = ["spec.nodeName"],
        ExtraIndexes = [(ControllerUidIndex, ControllerUids)],
        CopyStatus = (from, to) => to.Status = from.Status,
        // The API server defaults a new pod to Pending; the kubelet moves it on from there.
        ApplyCreateDefaults = p => (p.Status ??= new V1PodStatus()).Phase ??= "Pending",
        ValidateCreate = (p, _) =>
        {
            if (p.Spec?.Containers is not { Count: > 0 })
                throw KubeApiException.Invalid(KubeResource.Pods, p.Metadata?.Name ?? p.Metadata?.GenerateName ?? "", "spec.containers", "Required value");
        },
        DeleteReturnsObject = true,
    };

    public static ResourceModel<Corev1Event> Events { get; } = new()
    {
        Resource = KubeResource.Events,
        Fields = new Dictionary<string, Func<Corev1Event, string>>
        {
            ["involvedObject.kind"] = e => e.InvolvedObject?.Kind ?? "",
            ["involvedObject.namespace"] = e => e.InvolvedObject?.NamespaceProperty ?? "",
            ["involvedObject.name"] = e => e.InvolvedObject?.Name ?? "",
            ["involvedObject.uid"] = e => e.InvolvedObject?.Uid ?? "",
            ["involvedObject.apiVersion"] = e => e.InvolvedObject?.ApiVersion ?? "",
            ["involvedObject.resourceVersion"] = e => e.InvolvedObject?.ResourceVersion ?? "",
            ["involvedObject.fieldPath"] = e => e.InvolvedObject?.FieldPath ?? "",
            ["reason"] = e => e.Reason ?? "",
            ["reportingComponent"] = e => e.ReportingComponent ?? "",
            ["source"] = e => e.Source?.Component ?? "",
            ["type"] = e => e.Type ?? "",
        },
        IndexedFields = ["reason", "involvedObject.name"],
        ValidateCreate = ValidateEvent,
    };

    public static ResourceModel<V1Namespace> Namespaces { get; } = new()
    {
        Resource = KubeResource.Namespaces,
        Fields = new Dictionary<string, Func<V1Namespace, string>>
        {
            ["status.phase"] = n => n.Status?.Phase ?? "",
        },
        CopyStatus = (from, to) => to.Status = from.Status,
        ApplyCreateDefaults = n => (n.Status ??= new V1NamespaceStatus()).Phase ??= "Active",
        AfterDelete = (cluster, deleted) => cluster.DeleteNamespaceContentsLocked(deleted.Name),
        DeleteReturnsObject = true,
    };

    /// <summary>ConfigMaps select by name and namespace only, as on the real server; they have no status.</summary>
    public static ResourceModel<V1ConfigMap> ConfigMaps { get; } = new()
    {
        Resource = KubeResource.ConfigMaps,
    };

    public static ResourceModel<V1DaemonSet> DaemonSets { get; } = new()
    {
        Resource = KubeResource.DaemonSets,
        CopyStatus = (from, to) => to.Status = from.Status,
        Spec = d => d.Spec,
        ApplyCreateDefaults = DefaultDaemonSet,
    };

    public static ResourceModel<V1Lease> Leases { get; } = new()
    {
        Resource = KubeResource.Leases,
    };

    /// <summary>
    /// The API server's check of a core/v1 Event's namespace: an event about a namespaced object lives in
    /// that object's namespace; one about a cluster-scoped object (a Node) in <c>default</c> — or
    /// <c>kube-system</c> when it carries an eventTime — which is where <c>kubectl describe node</c> finds it.
    /// </summary>
    private static void ValidateEvent(Corev1Event e, string? pathNamespace)
    {
        var name = e.Metadata?.Name ?? e.Metadata?.GenerateName ?? "";
        var involved = e.InvolvedObject ?? throw KubeApiException.Invalid(KubeResource.Events, name, "involvedObject", "Required value");
        if (string.IsNullOrEmpty(involved.Kind) || string.IsNullOrEmpty(involved.Name))
            throw KubeApiException.Invalid(KubeResource.Events, name, "involvedObject", "Required value: kind and name");
        var eventNamespace = pathNamespace ?? e.Metadata?.NamespaceProperty ?? "default";
        var allowed = string.IsNullOrEmpty(involved.NamespaceProperty)
            ? eventNamespace == "default" || (e.EventTime is not null && eventNamespace == "kube-system")
            : eventNamespace == involved.NamespaceProperty;
        if (!allowed)
            throw KubeApiException.Invalid(KubeResource.Events, name, "involvedObject.namespace", $"Invalid value: \"{involved.NamespaceProperty}\": does not match event.namespace");
    }

    /// <summary>The API server's defaults for a new DaemonSet: a rolling update one node at a time.</summary>
    private static void DefaultDaemonSet(V1DaemonSet daemonSet)
    {
        daemonSet.Spec ??= new V1DaemonSetSpec { Selector = new V1LabelSelector(), Template = new V1PodTemplateSpec() };
        daemonSet.Spec.RevisionHistoryLimit ??= 10;
        var strategy = daemonSet.Spec.UpdateStrategy ??= new V1DaemonSetUpdateStrategy();
        strategy.Type ??= "RollingUpdate";
        if (strategy.Type == "RollingUpdate")
        {
            var rolling = strategy.RollingUpdate ??= new V1RollingUpdateDaemonSet();
            rolling.MaxUnavailable ??= 1;
            rolling.MaxSurge ??= 0;
        }

        daemonSet.Status ??= new V1DaemonSetStatus();
    }

    private static IEnumerable<string> ControllerUids(V1Pod pod)
    {
        if (pod.Metadata.OwnerReferences is null)
        {
            yield break;
        }

        foreach (var owner in pod.Metadata.OwnerReferences)
        {
            if (owner.Controller == true)
            {
                yield return owner.Uid;
            }
        }
    }

    private static string Bool(bool value) => value.ToString(CultureInfo.InvariantCulture).ToLowerInvariant();
}
