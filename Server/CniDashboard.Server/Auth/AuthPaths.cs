namespace CniDashboard.Server.Auth;

/// <summary>The sign-in endpoints' paths, and which requests are made by programs rather than pages.</summary>
public static class AuthPaths
{
    public const string SignIn = "/auth/sign-in";
    public const string SignOut = "/auth/sign-out";
    public const string SignedOut = OidcAuthOptions.SignedOutPath;
    public const string SignInFailed = "/auth/sign-in-failed";
    public const string NoAccess = "/auth/no-access";

    /// <summary>The REST API's prefix.</summary>
    public const string Api = "/api/v1";

    /// <summary>True for the API and the hub: refusals are status codes (401/403), never redirects to a page.</summary>
    public static bool IsProgrammatic(PathString path) =>
        path.StartsWithSegments(Api, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase);

    /// <summary>True where bearer tokens are accepted: the API, its OpenAPI document and the hub.</summary>
    public static bool AcceptsBearer(PathString path) =>
        path.StartsWithSegments(Api, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase)
        // The API's own description, which automation reads with the same token.
        || path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase);

    /// <summary>A return URL safe to redirect to after sign-in: a local path, else <c>/</c>.</summary>
    public static string LocalOrRoot(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";
}
