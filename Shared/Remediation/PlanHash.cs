using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace CniDashboard.Shared.Remediation;

/// <summary>
/// The canonical hash an approval binds: plan id, rule, author, component, every option, every node
/// the approvers reviewed in order with every edit's file, kind, expected and new sha256, and the risk
/// notes. Written as JSON with a fixed property order (no field is ever left to a serializer's
/// choices) and hashed with SHA-256. Nodes that joined later under a standing approval are not part of
/// it: each carries the hash of its own edits (<see cref="EditsSha256"/>).
/// </summary>
public static class PlanHash
{
    /// <summary>Version of the canonical form; part of the hashed text, so a change of form never collides with an old hash.</summary>
    public const string Format = "cni-dashboard/remediation-plan/v1";

    /// <summary>Lower-case hex SHA-256 of the plan's canonical form.</summary>
    public static string Of(RemediationPlan plan)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteString("id", plan.Id);
            json.WriteString("rule", plan.Rule);
            json.WriteString("plugin", plan.Plugin);
            json.WriteString("author", plan.Author);
            json.WriteString("component", plan.Component?.ToString());
            WriteOptions(json, plan.Options);
            json.WriteStartArray("nodes");
            foreach (var node in plan.Nodes)
            {
                if (node.Admission.ByStandingApproval) continue;
                json.WriteStartObject();
                json.WriteString("node", node.Node);
                WriteEdits(json, node.Edits);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("risks");
            foreach (var risk in plan.Risks)
            {
                json.WriteStartObject();
                json.WriteString("id", risk.Id);
                json.WriteString("text", risk.Text);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>Lower-case hex SHA-256 of one node's edits (file, kind, expected and new sha256 of each, in order).</summary>
    public static string EditsSha256(string node, IReadOnlyList<PlannedEdit> edits)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteString("node", node);
            WriteEdits(json, edits);
            json.WriteEndObject();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void WriteEdits(Utf8JsonWriter json, IReadOnlyList<PlannedEdit> edits)
    {
        json.WriteStartArray("edits");
        foreach (var edit in edits)
        {
            json.WriteStartObject();
            json.WriteString("file", edit.File);
            json.WriteString("kind", edit.Kind == Analysis.FileEditKind.Delete ? "delete" : "replace");
            json.WriteString("expectedSha256", edit.ExpectedSha256);
            json.WriteString("newSha256", edit.NewSha256);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteOptions(Utf8JsonWriter json, RemediationOptions options)
    {
        json.WriteStartObject("options");
        json.WriteBoolean("cordonNodes", options.CordonNodes);
        json.WriteString("verificationWindow", options.VerificationWindow.ToString("c", CultureInfo.InvariantCulture));
        json.WriteString("readyTimeout", options.ReadyTimeout.ToString("c", CultureInfo.InvariantCulture));
        json.WriteBoolean("noNewSandboxFailures", options.Success.NoNewSandboxFailures);
        json.WriteBoolean("noUnexpectedCriticalFindings", options.Success.NoUnexpectedCriticalFindings);
        json.WriteBoolean("probePodRunning", options.Success.ProbePodRunning);
        json.WriteBoolean("canaryFirst", options.CanaryFirst);
        json.WriteBoolean("holdAfterCanary", options.HoldAfterCanary);
        json.WriteNumber("maxUnhealthyNodes", options.MaxUnhealthyNodes);
        json.WriteNumber("maxNodesInFlight", options.MaxNodesInFlight);
        json.WriteEndObject();
    }
}
