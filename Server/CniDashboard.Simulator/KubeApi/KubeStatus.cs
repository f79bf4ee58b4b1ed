using System.Text.Encodings.Web;
using System.Text.Json;
using k8s.Models;

namespace CniDashboard.Simulator.KubeApi;

/// <summary>Builds <see cref="V1Status"/> bodies in the exact shape the API server sends.</summary>
public static class KubeStatus
{
    public static V1Status Failure(int code, string reason, string message, V1StatusDetails? details) => new()
    {
        Kind = "Status",
        ApiVersion = "v1",
        Metadata = new V1ListMeta(),
        Status = "Failure",
        Message = message,
        Reason = reason,
        Details = details,
        Code = code,
    };

    /// <summary>The body of a successful delete for resources whose delete does not echo the object.</summary>
    public static V1Status Success(KubeResource resource, string name, string? uid) => new()
    {
        Kind = "Status",
        ApiVersion = "v1",
        Metadata = new V1ListMeta(),
        Status = "Success",
        Details = new V1StatusDetails
        {
            Name = name,
            Group = resource.Group.Length == 0 ? null : resource.Group,
            Kind = resource.Plural,
            Uid = uid,
        },
    };

    /// <summary>
    /// The JSON of a Status. Written by hand because KubernetesJson only reads Status objects
    /// (its converter refuses to write them).
    /// </summary>
    public static byte[] ToJson(V1Status status)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("kind", "Status");
            json.WriteString("apiVersion", "v1");
            json.WriteStartObject("metadata");
            json.WriteEndObject();
            WriteIfPresent(json, "status", status.Status);
            WriteIfPresent(json, "message", status.Message);
            WriteIfPresent(json, "reason", status.Reason);
            if (status.Details is { } details)
            {
                json.WriteStartObject("details");
                WriteIfPresent(json, "name", details.Name);
                WriteIfPresent(json, "group", details.Group);
                WriteIfPresent(json, "kind", details.Kind);
                WriteIfPresent(json, "uid", details.Uid);
                if (details.Causes is { Count: > 0 } causes)
                {
                    json.WriteStartArray("causes");
                    foreach (var cause in causes)
                    {
                        json.WriteStartObject();
                        WriteIfPresent(json, "reason", cause.Reason);
                        WriteIfPresent(json, "message", cause.Message);
                        WriteIfPresent(json, "field", cause.Field);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                }

                if (details.RetryAfterSeconds is { } retry)
                {
                    json.WriteNumber("retryAfterSeconds", retry);
                }

                json.WriteEndObject();
            }

            if (status.Code is { } code)
            {
                json.WriteNumber("code", code);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteIfPresent(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
