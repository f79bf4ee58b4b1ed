namespace CniDashboard.Simulator.KubeApi.Auth;

/// <summary>The outcome of reviewing a token, as a TokenReview's status reports it.</summary>
public sealed record TokenValidation(bool Authenticated, KubeUser? User, IReadOnlyList<string> Audiences, string? Error)
{
    public static TokenValidation Failed(string error) => new(false, null, [], error);
}
