using System.Text.Json;
using System.Text.Json.Serialization;

namespace CniDashboard.Agent.Auth;

/// <summary>An <c>authentication.k8s.io/v1</c> TokenReview, as the API server reads and answers it.</summary>
public sealed record TokenReview
{
    /// <summary>Always <c>authentication.k8s.io/v1</c>.</summary>
    public string ApiVersion { get; init; } = "authentication.k8s.io/v1";

    /// <summary>Always <c>TokenReview</c>.</summary>
    public string Kind { get; init; } = "TokenReview";

    /// <summary>What to check.</summary>
    public TokenReviewSpec? Spec { get; init; }

    /// <summary>The API server's answer.</summary>
    public TokenReviewStatus? Status { get; init; }
}

/// <summary>The token under review and the audiences it must be valid for.</summary>
public sealed record TokenReviewSpec
{
    /// <summary>The bearer token.</summary>
    public string? Token { get; init; }

    /// <summary>Audiences the token must be valid for.</summary>
    public IReadOnlyList<string>? Audiences { get; init; }
}

/// <summary>Whether the token authenticated, and as whom.</summary>
public sealed record TokenReviewStatus
{
    /// <summary>True when the token is valid.</summary>
    public bool Authenticated { get; init; }

    /// <summary>The identity the token authenticates as.</summary>
    public TokenReviewUser? User { get; init; }

    /// <summary>The requested audiences the token is valid for; an audience-aware server always fills it.</summary>
    public IReadOnlyList<string>? Audiences { get; init; }

    /// <summary>Why the token could not be checked.</summary>
    public string? Error { get; init; }
}

/// <summary>A Kubernetes user.</summary>
public sealed record TokenReviewUser
{
    /// <summary>E.g. <c>system:serviceaccount:cni-dashboard:cni-dashboard</c>.</summary>
    public string? Username { get; init; }

    /// <summary>The user's uid.</summary>
    public string? Uid { get; init; }

    /// <summary>The user's groups.</summary>
    public IReadOnlyList<string>? Groups { get; init; }
}

/// <summary>Source-generated JSON for TokenReviews (Kubernetes' camelCase, nulls left out).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TokenReview))]
public sealed partial class TokenReviewJsonContext : JsonSerializerContext;
