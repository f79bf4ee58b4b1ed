namespace CniDashboard.Simulator.Kubelet;

/// <summary>What the runtime answered when the kubelet asked for a pod sandbox.</summary>
/// <param name="Succeeded">True when the sandbox (and its network) is up.</param>
/// <param name="Reason">The event reason of a failure: <c>FailedCreatePodSandBox</c> or <c>NetworkNotReady</c>.</param>
/// <param name="Message">The event message of a failure, in the real format.</param>
internal sealed record SandboxOutcome(bool Succeeded, string? Reason, string? Message)
{
    public const string FailedCreatePodSandBox = "FailedCreatePodSandBox";
    public const string NetworkNotReady = "NetworkNotReady";

    public static SandboxOutcome Success { get; } = new(true, null, null);

    /// <summary>A CNI ADD that failed: <c>Failed to create pod sandbox: rpc error: … failed to setup network for sandbox "id": detail</c>.</summary>
    public static SandboxOutcome NetworkSetupFailed(string sandboxId, string detail) => new(
        false,
        FailedCreatePodSandBox,
        $"Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"{sandboxId}\": {detail}");

    /// <summary>The kubelet does not even try: the runtime has no working CNI configuration.</summary>
    public static SandboxOutcome NoNetwork { get; } = new(
        false,
        NetworkNotReady,
        "network is not ready: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized");
}
