using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CniDashboard.Simulator.Kubelet;

/// <summary>
/// Reads the bearer token a plugin would send from its kubeconfig, as client-go loads it: the
/// current context's user, its <c>token</c>. The runtime side of the simulation needs the real
/// token (the agent and the dashboard only ever see it redacted); it never leaves this process.
/// </summary>
internal static class KubeconfigToken
{
    /// <summary>The token, or null when the text is not a kubeconfig with an inline token.</summary>
    public static string? Read(string text)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                return null;
            }

            var context = Named(root, "contexts", Scalar(root, "current-context"), "context");
            var user = Named(root, "users", context is null ? null : Scalar(context, "user"), "user");
            return user is null ? null : Scalar(user, "token");
        }
        catch (YamlException)
        {
            return null;
        }
    }

    private static YamlMappingNode? Named(YamlMappingNode root, string list, string? name, string inner)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(list), out var node) || node is not YamlSequenceNode sequence)
        {
            return null;
        }

        YamlMappingNode? first = null;
        foreach (var item in sequence.Children.OfType<YamlMappingNode>())
        {
            if (!item.Children.TryGetValue(new YamlScalarNode(inner), out var innerNode) || innerNode is not YamlMappingNode mapping)
            {
                continue;
            }

            first ??= mapping;
            if (name is not null && Scalar(item, "name") == name)
            {
                return mapping;
            }
        }

        return first;
    }

    private static string? Scalar(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode scalar ? scalar.Value : null;
}
