using System.Text;

namespace CniDashboard.Simulator.KubeApi;

/// <summary>Writes a kubeconfig that points at the emulator over HTTPS, trusting its cluster CA, with a bearer token.</summary>
internal static class KubeconfigWriter
{
    public const string ContextName = "cni-simulator";

    public static string Render(Uri server, string caPem, string bearerToken, string? @namespace)
    {
        var text = new StringBuilder();
        text.AppendLine("apiVersion: v1");
        text.AppendLine("kind: Config");
        text.AppendLine("clusters:");
        text.AppendLine($"- name: {ContextName}");
        text.AppendLine("  cluster:");
        text.AppendLine($"    server: {Quote(server.GetLeftPart(UriPartial.Authority))}");
        text.AppendLine($"    certificate-authority-data: {Quote(Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem)))}");
        text.AppendLine("contexts:");
        text.AppendLine($"- name: {ContextName}");
        text.AppendLine("  context:");
        text.AppendLine($"    cluster: {ContextName}");
        text.AppendLine($"    user: {ContextName}");
        if (@namespace is not null)
        {
            text.AppendLine($"    namespace: {Quote(@namespace)}");
        }

        text.AppendLine($"current-context: {ContextName}");
        text.AppendLine("preferences: {}");
        text.AppendLine("users:");
        text.AppendLine($"- name: {ContextName}");
        text.AppendLine("  user:");
        text.AppendLine($"    token: {Quote(bearerToken)}");
        return text.ToString();
    }

    // Double-quoted YAML scalars, so no token or address can break the document.
    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
