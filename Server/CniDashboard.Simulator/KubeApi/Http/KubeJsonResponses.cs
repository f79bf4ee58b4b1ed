using System.Buffers;
using System.Globalization;
using System.Text;
using CniDashboard.Simulator.KubeApi.Store;
using k8s;
using Microsoft.AspNetCore.Http;

namespace CniDashboard.Simulator.KubeApi.Http;

/// <summary>Writes API answers. Objects are already JSON in the store, so lists and watches copy bytes.</summary>
internal static class KubeJsonResponses
{
    private const int FlushThreshold = 64 * 1024;

    public static Task WriteObjectAsync(HttpContext context, int statusCode, object value) =>
        WriteBytesAsync(context, statusCode, Encoding.UTF8.GetBytes(KubernetesJson.Serialize(value)));

    public static async Task WriteBytesAsync(HttpContext context, int statusCode, byte[] json)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }

    public static async Task WriteListAsync(HttpContext context, KubeResource resource, ListPage page)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        var metadata = new StringBuilder();
        metadata.Append(CultureInfo.InvariantCulture, $"\"resourceVersion\":\"{page.ResourceVersion}\"");
        if (page.Continue is not null)
        {
            // The token is base64url: nothing in it needs escaping.
            metadata.Append(CultureInfo.InvariantCulture, $",\"continue\":\"{page.Continue}\"");
        }

        if (page.RemainingItemCount is { } remaining)
        {
            metadata.Append(CultureInfo.InvariantCulture, $",\"remainingItemCount\":{remaining}");
        }

        var writer = context.Response.BodyWriter;
        var cancellation = context.RequestAborted;
        writer.Write(Encoding.UTF8.GetBytes($"{{\"kind\":\"{resource.ListKind}\",\"apiVersion\":\"{resource.ApiVersion}\",\"metadata\":{{{metadata}}},\"items\":["));
        for (var i = 0; i < page.Items.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(","u8);
            }

            writer.Write(page.Items[i].Json);
            if (writer.UnflushedBytes > FlushThreshold)
            {
                await writer.FlushAsync(cancellation).ConfigureAwait(false);
            }
        }

        writer.Write("]}"u8);
        await writer.FlushAsync(cancellation).ConfigureAwait(false);
    }
}
