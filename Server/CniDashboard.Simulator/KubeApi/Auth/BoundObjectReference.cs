namespace CniDashboard.Simulator.KubeApi.Auth;

/// <summary>The object a token is bound to (its pod or node): the token dies with that exact object.</summary>
public sealed record BoundObjectReference(string Name, string Uid);
