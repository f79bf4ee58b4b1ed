namespace CniDashboard.Simulator.KubeApi.Patching;

/// <summary>The patch formats a PATCH request may carry, named by their content types.</summary>
public enum PatchKind
{
    /// <summary><c>application/merge-patch+json</c> (RFC 7386).</summary>
    Merge,

    /// <summary>
    /// <c>application/strategic-merge-patch+json</c>. Applied as a merge patch: the fields the
    /// dashboard patches (cordon, lease renewals, annotations) have no list merge keys.
    /// </summary>
    StrategicMerge,

    /// <summary><c>application/json-patch+json</c> (RFC 6902).</summary>
    Json,
}

internal static class PatchKinds
{
    public static PatchKind FromContentType(string? contentType)
    {
        var mediaType = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        return mediaType switch
        {
            "application/merge-patch+json" => PatchKind.Merge,
            "application/strategic-merge-patch+json" => PatchKind.StrategicMerge,
            "application/json-patch+json" => PatchKind.Json,
            _ => throw KubeApiException.UnsupportedMediaType(contentType ?? ""),
        };
    }
}
