namespace CniDashboard.Simulator.KubeApi.Auth;

/// <summary>An authenticated caller, in the shape of a TokenReview's <c>status.user</c>.</summary>
public sealed record KubeUser(
    string Username,
    string? Uid,
    IReadOnlyList<string> Groups,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Extra)
{
    public static KubeUser Named(string username) =>
        new(username, null, ["system:authenticated"], new Dictionary<string, IReadOnlyList<string>>());
}
