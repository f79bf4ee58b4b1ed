namespace CniDashboard.Simulator.Nodes;

/// <summary>An EKS managed node group: every node in it has the same instance type and OS image.</summary>
/// <param name="Name">The <c>eks.amazonaws.com/nodegroup</c> label.</param>
/// <param name="InstanceType">The <c>node.kubernetes.io/instance-type</c> label.</param>
/// <param name="OsImage"><c>status.nodeInfo.osImage</c>.</param>
/// <param name="KubeletVersion"><c>status.nodeInfo.kubeletVersion</c>.</param>
/// <param name="KernelVersion"><c>status.nodeInfo.kernelVersion</c>.</param>
/// <param name="Cpu">Allocatable CPUs.</param>
/// <param name="MemoryKi">Allocatable memory in KiB.</param>
/// <param name="MaxPods">The pod capacity EKS computes for the instance type.</param>
/// <param name="Share">How many of every 12 nodes belong to the group.</param>
public sealed record NodeGroup(
    string Name,
    string InstanceType,
    string OsImage,
    string KubeletVersion,
    string KernelVersion,
    int Cpu,
    long MemoryKi,
    int MaxPods,
    int Share)
{
    /// <summary>The two groups of the simulated cluster: general purpose and compute, on slightly different Bottlerocket releases.</summary>
    public static IReadOnlyList<NodeGroup> Defaults { get; } =
    [
        new("ng-general-m6i", "m6i.xlarge", "Bottlerocket OS 1.26.2 (aws-k8s-1.31)", "v1.31.4-eks-0f56d01", "6.1.119", 4, 15_896_204, 58, 8),
        new("ng-compute-c6i", "c6i.2xlarge", "Bottlerocket OS 1.29.0 (aws-k8s-1.31)", "v1.31.4-eks-0f56d01", "6.1.124", 8, 15_242_648, 58, 4),
    ];
}
