namespace CniDashboard.Shared.Agent;

/// <summary>
/// How an agent announces its manifest hash through the Kubernetes API: one annotation on its own
/// Pod, which the dashboard's watch of the agent pods already sees. The value is the hash the agent
/// serves as its snapshot's strong ETag (lower-case hex SHA-256), nothing else.
/// </summary>
public static class ManifestAnnouncement
{
    /// <summary>The Pod annotation the agent writes (and the only thing it may change on its Pod).</summary>
    public const string AnnotationKey = "cni-dashboard.io/manifest-hash";

    /// <summary>True for a value an agent may announce: 64 lower-case hex digits.</summary>
    public static bool IsValidHash(string? value)
    {
        if (value is not { Length: 64 }) return false;
        foreach (var c in value)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) return false;
        }

        return true;
    }
}
