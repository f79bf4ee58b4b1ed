using System.Text.Json.Nodes;
using CniDashboard.Shared.Agent;

namespace CniDashboard.Simulator.KubeApi.Auth;

/// <summary>
/// The emulator's copy of the chart's ValidatingAdmissionPolicy <c>cni-dashboard-agent-announce</c>
/// (deploy/helm/cni-dashboard/templates/agent.yaml): an update of a Pod by the agent's ServiceAccount
/// must leave everything but the annotation <c>cni-dashboard.io/manifest-hash</c> as it was, set it to
/// 64 lower-case hex digits, and touch only a Pod whose <c>spec.nodeName</c> is the node the caller's
/// token is bound to (<c>request.userInfo.extra['authentication.kubernetes.io/node-name']</c>).
/// Refusals carry the policy's messages in the real server's words.
/// </summary>
internal static class AnnouncementAdmission
{
    public const string PolicyName = "cni-dashboard-agent-announce-cni-dashboard";
    private const string NodeNameExtra = "authentication.kubernetes.io/node-name";

    /// <summary>True when the policy's match condition selects the request.</summary>
    public static bool Applies(KubeUser user, KubeResource resource) =>
        resource == KubeResource.Pods && user.Username == KubeIdentities.Agent.Username;

    /// <summary>Throws 403 Forbidden unless the update from <paramref name="before"/> to <paramref name="after"/> passes every validation.</summary>
    public static void Validate(KubeUser user, JsonObject before, JsonObject after)
    {
        var name = (string?)before["metadata"]?["name"] ?? "";
        var nodeName = (string?)before["spec"]?["nodeName"];
        if (!user.Extra.TryGetValue(NodeNameExtra, out var nodes) || nodes.Count == 0 || (string?)after["spec"]?["nodeName"] != nodes[0] || nodeName != nodes[0])
            throw Denied(name, "the agent may only announce on the Pod of its own node");

        if (!JsonNode.DeepEquals(WithoutAnnouncement(before), WithoutAnnouncement(after)))
            throw Denied(name, $"the agent may only change the annotation {ManifestAnnouncement.AnnotationKey}");

        var value = after["metadata"]?["annotations"]?[ManifestAnnouncement.AnnotationKey];
        if (value is not null && !ManifestAnnouncement.IsValidHash(value.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string?)value : null))
            throw Denied(name, "the manifest hash must be 64 lower-case hex digits");
    }

    /// <summary>The object as the policy compares it: without the announcement and the fields the server sets on every write.</summary>
    private static JsonObject WithoutAnnouncement(JsonObject pod)
    {
        var copy = (JsonObject)pod.DeepClone();
        copy.Remove("status");
        if (copy["metadata"] is JsonObject metadata)
        {
            metadata.Remove("resourceVersion");
            metadata.Remove("generation");
            metadata.Remove("managedFields");
            if (metadata["annotations"] is JsonObject annotations)
            {
                annotations.Remove(ManifestAnnouncement.AnnotationKey);
                if (annotations.Count == 0) metadata.Remove("annotations");
            }
        }

        return copy;
    }

    private static KubeApiException Denied(string pod, string message) =>
        KubeApiException.Forbidden(
            $"pods \"{pod}\" is forbidden: ValidatingAdmissionPolicy '{PolicyName}' with binding '{PolicyName}' denied request: {message}",
            KubeResource.Pods,
            pod);
}
