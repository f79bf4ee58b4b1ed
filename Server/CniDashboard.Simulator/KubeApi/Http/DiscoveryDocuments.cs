using k8s.Models;

namespace CniDashboard.Simulator.KubeApi.Http;

/// <summary>The discovery answers (<c>/version</c>, <c>/api</c>, <c>/apis</c>, resource lists) kubectl-like callers read first.</summary>
internal static class DiscoveryDocuments
{
    private static readonly string[] AllVerbs = ["create", "delete", "get", "list", "patch", "update", "watch"];

    public static VersionInfo Version() => new()
    {
        Major = "1",
        Minor = "31",
        GitVersion = "v1.31.0-eks-simulated",
        GitCommit = "0000000000000000000000000000000000000000",
        GitTreeState = "clean",
        BuildDate = "2024-08-13T07:28:49Z",
        GoVersion = "go1.22.5",
        Compiler = "gc",
        Platform = "linux/amd64",
    };

    public static V1APIVersions CoreVersions(string serverAddress) => new()
    {
        Kind = "APIVersions",
        Versions = ["v1"],
        ServerAddressByClientCIDRs = [new V1ServerAddressByClientCIDR { ClientCIDR = "0.0.0.0/0", ServerAddress = serverAddress }],
    };

    public static V1APIGroupList Groups() => new()
    {
        Kind = "APIGroupList",
        ApiVersion = "v1",
        Groups = [.. KubeResource.All
            .Where(r => r.Group.Length > 0)
            .Select(r => (r.Group, r.Version))
            .Distinct()
            .Select(g => new V1APIGroup
            {
                Name = g.Group,
                Versions = [new V1GroupVersionForDiscovery { GroupVersion = $"{g.Group}/{g.Version}", Version = g.Version }],
                PreferredVersion = new V1GroupVersionForDiscovery { GroupVersion = $"{g.Group}/{g.Version}", Version = g.Version },
            })],
    };

    /// <summary>The resources of one group version, or null when the emulator serves none there.</summary>
    public static V1APIResourceList? Resources(string group, string version)
    {
        var resources = KubeResource.All.Where(r => r.Group == group && r.Version == version).ToList();
        if (resources.Count == 0)
        {
            return null;
        }

        var entries = new List<V1APIResource>();
        foreach (var resource in resources)
        {
            var verbs = resource == KubeResource.TokenReviews ? ["create"] : AllVerbs;
            entries.Add(new V1APIResource
            {
                Name = resource.Plural,
                SingularName = resource.Kind.ToLowerInvariant(),
                Namespaced = resource.Namespaced,
                Kind = resource.Kind,
                Verbs = verbs,
                ShortNames = resource.ShortNames.Count == 0 ? null : [.. resource.ShortNames],
            });
            if (KubeApiRoutes.HasStatus(resource))
            {
                entries.Add(new V1APIResource
                {
                    Name = resource.Plural + "/status",
                    SingularName = "",
                    Namespaced = resource.Namespaced,
                    Kind = resource.Kind,
                    Verbs = ["get", "patch", "update"],
                });
            }
        }

        return new V1APIResourceList
        {
            Kind = "APIResourceList",
            ApiVersion = "v1",
            GroupVersion = group.Length == 0 ? version : $"{group}/{version}",
            Resources = entries,
        };
    }
}
