namespace CniDashboard.Shared.Sandbox;

/// <summary>What a kubelet <c>FailedCreatePodSandBox</c> message says, taken apart.</summary>
public sealed record SandboxFailure
{
    /// <summary>The sandbox id, when the message names one (it may be abbreviated, e.g. <c>3c1f...</c>).</summary>
    public string? SandboxId { get; init; }

    /// <summary>The plugin type the runtime names (<c>plugin type="linkerd-cni"</c>, or the plugin in <c>failed to find plugin "x"</c>).</summary>
    public string? PluginType { get; init; }

    /// <summary>The plugin's own name, when the message carries it.</summary>
    public string? PluginName { get; init; }

    /// <summary>The CNI operation that failed.</summary>
    public SandboxOperation? Operation { get; init; }

    /// <summary>The plugin's error text (after <c>failed (add): </c>), or the whole message when it could not be split.</summary>
    public required string ErrorText { get; init; }

    /// <summary>What kind of failure it is.</summary>
    public required SandboxErrorClass ErrorClass { get; init; }

    /// <summary>The pod the dockershim form names, when it names one.</summary>
    public string? PodName { get; init; }
}

/// <summary>The CNI operation in a sandbox error.</summary>
public enum SandboxOperation
{
    /// <summary>ADD: set up the pod's network.</summary>
    Add,
    /// <summary>DEL: tear it down.</summary>
    Del,
    /// <summary>CHECK: verify it.</summary>
    Check,
}

/// <summary>Kinds of sandbox failure, each with its usual cause.</summary>
public enum SandboxErrorClass
{
    /// <summary>The plugin's API token was rejected (revoked, expired, bound to a dead pod).</summary>
    Unauthorized,
    /// <summary>The plugin's identity lacks RBAC permission.</summary>
    Forbidden,
    /// <summary>No binary for the plugin type in the CNI bin folder.</summary>
    PluginNotFound,
    /// <summary>The plugin or something it runs exited non-zero (e.g. 127: command not found).</summary>
    BinaryExit,
    /// <summary>The config's cniVersion is not one the plugin supports.</summary>
    IncompatibleVersion,
    /// <summary>IP address management failed (no free address, IPAM daemon errors).</summary>
    Ipam,
    /// <summary>The plugin could not reach its node daemon (Cilium agent socket, aws-node).</summary>
    DaemonUnreachable,
    /// <summary>The node has no loaded CNI configuration.</summary>
    NetworkNotReady,
    /// <summary>Anything else; the text is kept.</summary>
    Other,
}
