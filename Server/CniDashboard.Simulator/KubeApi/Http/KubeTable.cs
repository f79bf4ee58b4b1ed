using System.Globalization;
using System.Text.Json;
using CniDashboard.Simulator.KubeApi.Store;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace CniDashboard.Simulator.KubeApi.Http;

/// <summary>
/// Server-side printing, as <c>kubectl get</c> asks for it (<c>Accept: application/json;as=Table;v=v1;g=meta.k8s.io</c>):
/// a meta.k8s.io/v1 Table with the real server's columns for nodes, pods, DaemonSets and events, so
/// the demo's <c>kubectl get</c> shows STATUS, READY and the rest. Other resources, and watches,
/// answer plain JSON, which kubectl accepts too (it lists <c>application/json</c> as the fallback).
/// </summary>
internal static class KubeTable
{
    private static readonly Column Name = new("Name", "string", "name", 0);
    private static readonly Column Age = new("Age", "string", "", 0);

    /// <summary>True when the client asked for a Table and this resource has one.</summary>
    public static bool IsRequested(HttpRequest request, KubeResource resource) =>
        ColumnsOf(resource) is not null
        && request.Headers.Accept.Any(a => a is not null && a.Contains("as=Table", StringComparison.Ordinal) && a.Contains("g=meta.k8s.io", StringComparison.Ordinal));

    /// <summary>The Table of <paramref name="items"/> as of <paramref name="now"/> (for the ages).</summary>
    public static byte[] Render(KubeResource resource, IReadOnlyList<StoredObject> items, string? resourceVersion, string? continueToken, DateTime now)
    {
        var columns = ColumnsOf(resource) ?? throw new ArgumentException($"no table for {resource.Plural}", nameof(resource));
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", "Table");
            json.WriteString("apiVersion", "meta.k8s.io/v1");
            json.WriteStartObject("metadata");
            if (resourceVersion is not null) json.WriteString("resourceVersion", resourceVersion);
            if (continueToken is not null) json.WriteString("continue", continueToken);
            json.WriteEndObject();
            json.WriteStartArray("columnDefinitions");
            foreach (var column in columns)
            {
                json.WriteStartObject();
                json.WriteString("name", column.Title);
                json.WriteString("type", column.Type);
                json.WriteString("format", column.Format);
                json.WriteString("description", column.Title);
                json.WriteNumber("priority", column.Priority);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("rows");
            foreach (var item in items)
            {
                json.WriteStartObject();
                json.WriteStartArray("cells");
                foreach (var cell in Cells(item.Value, now))
                {
                    switch (cell)
                    {
                        case int number:
                            json.WriteNumberValue(number);
                            break;
                        default:
                            json.WriteStringValue(cell?.ToString() ?? "");
                            break;
                    }
                }

                json.WriteEndArray();
                // kubectl reads the namespace (-A), labels (-L, --show-labels) and name from here.
                json.WritePropertyName("object");
                json.WriteRawValue(KubernetesJson.Serialize(new PartialObject(item.Metadata)));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Kubernetes' <c>duration.HumanDuration</c>: what kubectl shows as AGE and LAST SEEN.</summary>
    public static string HumanDuration(TimeSpan age)
    {
        var seconds = (long)age.TotalSeconds;
        if (seconds < -1) return "<invalid>";
        if (seconds < 0) return "0s";
        if (seconds < 60 * 2) return Invariant($"{seconds}s");
        var minutes = (long)age.TotalMinutes;
        if (minutes < 10) return seconds % 60 == 0 ? Invariant($"{minutes}m") : Invariant($"{minutes}m{seconds % 60}s");
        if (minutes < 60 * 3) return Invariant($"{minutes}m");
        var hours = (long)age.TotalHours;
        if (hours < 8) return minutes % 60 == 0 ? Invariant($"{hours}h") : Invariant($"{hours}h{minutes % 60}m");
        if (hours < 48) return Invariant($"{hours}h");
        if (hours < 24 * 8) return hours % 24 == 0 ? Invariant($"{hours / 24}d") : Invariant($"{hours / 24}d{hours % 24}h");
        if (hours < 24 * 365 * 2) return Invariant($"{hours / 24}d");
        if (hours < 24 * 365 * 8) return (hours / 24) % 365 == 0 ? Invariant($"{hours / 24 / 365}y") : Invariant($"{hours / 24 / 365}y{(hours / 24) % 365}d");
        return Invariant($"{hours / 24 / 365}y");
    }

    private static Column[]? ColumnsOf(KubeResource resource)
    {
        if (resource == KubeResource.Nodes)
        {
            return [Name, new("Status", "string", "", 0), new("Roles", "string", "", 0), Age, new("Version", "string", "", 0),
                new("Internal-IP", "string", "", 1), new("External-IP", "string", "", 1), new("OS-Image", "string", "", 1),
                new("Kernel-Version", "string", "", 1), new("Container-Runtime", "string", "", 1)];
        }

        if (resource == KubeResource.Pods)
        {
            return [Name, new("Ready", "string", "", 0), new("Status", "string", "", 0), new("Restarts", "string", "", 0), Age,
                new("IP", "string", "", 1), new("Node", "string", "", 1), new("Nominated Node", "string", "", 1), new("Readiness Gates", "string", "", 1)];
        }

        if (resource == KubeResource.DaemonSets)
        {
            return [Name, new("Desired", "integer", "", 0), new("Current", "integer", "", 0), new("Ready", "integer", "", 0),
                new("Up-to-date", "integer", "", 0), new("Available", "integer", "", 0), new("Node Selector", "string", "", 0), Age,
                new("Containers", "string", "", 1), new("Images", "string", "", 1), new("Selector", "string", "", 1)];
        }

        if (resource == KubeResource.Events)
        {
            return [new("Last Seen", "string", "", 0), new("Type", "string", "", 0), new("Reason", "string", "", 0),
                new("Object", "string", "", 0), new("Source", "string", "", 1), new("Message", "string", "", 0),
                new("First Seen", "string", "", 1), new("Count", "string", "", 1), Name with { Priority = 1 }];
        }

        return null;
    }

    private static IEnumerable<object?> Cells(IKubernetesObject<V1ObjectMeta> value, DateTime now) => value switch
    {
        V1Node node => NodeCells(node, now),
        V1Pod pod => PodCells(pod, now),
        V1DaemonSet daemonSet => DaemonSetCells(daemonSet, now),
        Corev1Event e => EventCells(e, now),
        _ => [value.Metadata.Name],
    };

    private static object?[] NodeCells(V1Node node, DateTime now)
    {
        var ready = node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        var status = ready is null ? "Unknown" : ready.Status == "True" ? "Ready" : "NotReady";
        if (node.Spec?.Unschedulable == true) status += ",SchedulingDisabled";
        var roles = node.Metadata.Labels?.Keys
            .Where(k => k.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal))
            .Select(k => k["node-role.kubernetes.io/".Length..])
            .ToArray() ?? [];
        string? Address(string type) => node.Status?.Addresses?.FirstOrDefault(a => a.Type == type)?.Address;
        var info = node.Status?.NodeInfo;
        return [node.Metadata.Name, status, roles.Length == 0 ? "<none>" : string.Join(",", roles), AgeOf(node.Metadata, now), info?.KubeletVersion ?? "",
            Address("InternalIP") ?? "<none>", Address("ExternalIP") ?? "<none>", info?.OsImage ?? "<unknown>", info?.KernelVersion ?? "<unknown>", info?.ContainerRuntimeVersion ?? "<unknown>"];
    }

    private static object?[] PodCells(V1Pod pod, DateTime now)
    {
        var containers = pod.Spec?.Containers?.Count ?? 0;
        var statuses = pod.Status?.ContainerStatuses ?? [];
        var status = pod.Status?.Reason ?? pod.Status?.Phase ?? "Unknown";
        foreach (var container in statuses)
        {
            if (container.State?.Waiting?.Reason is { Length: > 0 } waiting) status = waiting;
            else if (container.State?.Terminated?.Reason is { Length: > 0 } terminated) status = terminated;
        }

        if (pod.Metadata.DeletionTimestamp is not null) status = "Terminating";
        return [pod.Metadata.Name, Invariant($"{statuses.Count(s => s.Ready)}/{containers}"), status, Invariant($"{statuses.Sum(s => s.RestartCount)}"), AgeOf(pod.Metadata, now),
            pod.Status?.PodIP ?? "<none>", pod.Spec?.NodeName ?? "<none>", pod.Status?.NominatedNodeName ?? "<none>", "<none>"];
    }

    private static object?[] DaemonSetCells(V1DaemonSet daemonSet, DateTime now)
    {
        var status = daemonSet.Status;
        var selector = daemonSet.Spec?.Template?.Spec?.NodeSelector;
        var containers = daemonSet.Spec?.Template?.Spec?.Containers ?? [];
        var matchLabels = daemonSet.Spec?.Selector?.MatchLabels;
        return [daemonSet.Metadata.Name, status?.DesiredNumberScheduled ?? 0, status?.CurrentNumberScheduled ?? 0, status?.NumberReady ?? 0,
            status?.UpdatedNumberScheduled ?? 0, status?.NumberAvailable ?? 0, selector is { Count: > 0 } ? Labels(selector) : "<none>", AgeOf(daemonSet.Metadata, now),
            string.Join(",", containers.Select(c => c.Name)), string.Join(",", containers.Select(c => c.Image)), matchLabels is { Count: > 0 } ? Labels(matchLabels) : "<none>"];
    }

    private static object?[] EventCells(Corev1Event e, DateTime now)
    {
        var last = e.LastTimestamp ?? e.EventTime ?? e.Metadata.CreationTimestamp;
        var first = e.FirstTimestamp ?? e.EventTime ?? e.Metadata.CreationTimestamp;
        var involved = e.InvolvedObject;
        var source = e.Source?.Component is { Length: > 0 } component ? component + (e.Source.Host is { Length: > 0 } host ? ", " + host : "") : e.ReportingComponent ?? "";
        return [last is { } l ? HumanDuration(now - l) : "<unknown>", e.Type ?? "", e.Reason ?? "",
            involved is null ? "" : $"{involved.Kind?.ToLowerInvariant()}/{involved.Name}", source, e.Message ?? "",
            first is { } f ? HumanDuration(now - f) : "<unknown>", Invariant($"{e.Count ?? 1}"), e.Metadata.Name];
    }

    private static string AgeOf(V1ObjectMeta metadata, DateTime now) =>
        metadata.CreationTimestamp is { } created ? HumanDuration(now - created.ToUniversalTime()) : "<unknown>";

    private static string Labels(IDictionary<string, string> labels) =>
        string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Column(string Title, string Type, string Format, int Priority);

    /// <summary>The row object kubectl expects by default (<c>includeObject=Metadata</c>).</summary>
    private sealed class PartialObject(V1ObjectMeta metadata)
    {
        [System.Text.Json.Serialization.JsonPropertyName("kind")]
        public string Kind => "PartialObjectMetadata";

        [System.Text.Json.Serialization.JsonPropertyName("apiVersion")]
        public string ApiVersion => "meta.k8s.io/v1";

        [System.Text.Json.Serialization.JsonPropertyName("metadata")]
        public V1ObjectMeta Metadata => metadata;
    }
}
