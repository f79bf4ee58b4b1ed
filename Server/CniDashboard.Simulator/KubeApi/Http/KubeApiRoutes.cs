namespace CniDashboard.Simulator.KubeApi.Http;

/// <summary>What a request path addresses: a resource collection, one object, or one object's subresource.</summary>
internal sealed record KubeApiTarget(KubeResource Resource, string? Namespace, string? Name, string? Subresource);

/// <summary>
/// Parses the API's REST paths: <c>/api/v1/{resource}[/{name}[/{sub}]]</c>,
/// <c>/api/v1/namespaces/{ns}/{resource}[/{name}[/{sub}]]</c> and the same under <c>/apis/{group}/{version}</c>.
/// </summary>
internal static class KubeApiRoutes
{
    public static bool HasStatus(KubeResource resource) =>
        resource == KubeResource.Pods || resource == KubeResource.Nodes || resource == KubeResource.DaemonSets || resource == KubeResource.Namespaces;

    /// <summary>Splits a path into its group, version and the rest; false when it is not under /api or /apis.</summary>
    public static bool TrySplit(string path, out string group, out string version, out string[] rest)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        group = "";
        version = "";
        rest = [];
        if (segments.Length >= 2 && segments[0] == "api")
        {
            version = segments[1];
            rest = segments[2..];
            return true;
        }

        if (segments.Length >= 3 && segments[0] == "apis")
        {
            group = segments[1];
            version = segments[2];
            rest = segments[3..];
            return true;
        }

        return false;
    }

    public static KubeApiTarget? Resolve(string group, string version, string[] rest)
    {
        if (rest.Length == 0)
        {
            return null;
        }

        // /namespaces/{ns}/{resource}/... addresses namespaced objects; /namespaces/{ns}[/status] the namespace itself.
        if (rest[0] == "namespaces" && rest.Length >= 3 && Find(group, version, rest[2]) is { Namespaced: true } namespaced)
        {
            return rest.Length switch
            {
                3 => new KubeApiTarget(namespaced, rest[1], null, null),
                4 => new KubeApiTarget(namespaced, rest[1], rest[3], null),
                5 => new KubeApiTarget(namespaced, rest[1], rest[3], rest[4]),
                _ => null,
            };
        }

        var resource = Find(group, version, rest[0]);
        if (resource is null)
        {
            return null;
        }

        return rest.Length switch
        {
            1 => new KubeApiTarget(resource, null, null, null),
            2 => new KubeApiTarget(resource, null, rest[1], null),
            3 => new KubeApiTarget(resource, null, rest[1], rest[2]),
            _ => null,
        };
    }

    private static KubeResource? Find(string group, string version, string plural) =>
        KubeResource.All.FirstOrDefault(r => r.Group == group && r.Version == version && r.Plural == plural);
}
