using System.Security.Cryptography;
using k8s.Models;

namespace CniDashboard.Simulator.Kubelet;

/// <summary>A container as its status names it: all the kubelet keeps of a pod's spec.</summary>
internal readonly record struct ContainerRef(string Name, string Image)
{
    public static ContainerRef[] Of(V1Pod pod) => [.. pod.Spec.Containers.Select(c => new ContainerRef(c.Name, c.Image))];
}

/// <summary>Pod statuses the way the kubelet reports them, for the states a simulated pod goes through.</summary>
internal static class PodStatuses
{
    /// <summary>Waiting for a sandbox: phase Pending, every container waiting with reason ContainerCreating.</summary>
    public static V1PodStatus ContainerCreating(IReadOnlyList<ContainerRef> containers, string hostIp, DateTime startTime, DateTime now)
    {
        var notReady = $"containers with unready status: [{string.Join(" ", containers.Select(c => c.Name))}]";
        return new V1PodStatus
        {
            Phase = "Pending",
            HostIP = hostIp,
            HostIPs = [new V1HostIP { Ip = hostIp }],
            StartTime = startTime,
            QosClass = "BestEffort",
            Conditions =
            [
                Condition("PodReadyToStartContainers", false, now),
                Condition("Initialized", true, startTime),
                Condition("Ready", false, now, "ContainersNotReady", notReady),
                Condition("ContainersReady", false, now, "ContainersNotReady", notReady),
                Condition("PodScheduled", true, startTime),
            ],
            ContainerStatuses =
            [
                .. containers.Select(c => new V1ContainerStatus
                {
                    Name = c.Name,
                    Image = c.Image,
                    ImageID = "",
                    Ready = false,
                    Started = false,
                    RestartCount = 0,
                    State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } },
                }),
            ],
        };
    }

    /// <summary>Containers started (and Ready once <paramref name="ready"/>): phase Running.</summary>
    public static V1PodStatus Running(string podUid, IReadOnlyList<ContainerRef> containers, string hostIp, string podIp, DateTime startTime, DateTime startedAt, bool ready, DateTime now)
    {
        var notReady = $"containers with unready status: [{string.Join(" ", containers.Select(c => c.Name))}]";
        return new V1PodStatus
        {
            Phase = "Running",
            HostIP = hostIp,
            HostIPs = [new V1HostIP { Ip = hostIp }],
            PodIP = podIp,
            PodIPs = [new V1PodIP { Ip = podIp }],
            StartTime = startTime,
            QosClass = "BestEffort",
            Conditions =
            [
                Condition("PodReadyToStartContainers", true, startedAt),
                Condition("Initialized", true, startTime),
                ready ? Condition("Ready", true, now) : Condition("Ready", false, startedAt, "ContainersNotReady", notReady),
                ready ? Condition("ContainersReady", true, now) : Condition("ContainersReady", false, startedAt, "ContainersNotReady", notReady),
                Condition("PodScheduled", true, startTime),
            ],
            ContainerStatuses =
            [
                .. containers.Select(c => new V1ContainerStatus
                {
                    Name = c.Name,
                    Image = c.Image,
                    ImageID = ImageId(c.Image),
                    ContainerID = "containerd://" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{podUid}/{c.Name}"))),
                    Ready = ready,
                    Started = true,
                    RestartCount = 0,
                    State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = startedAt } },
                }),
            ],
        };
    }

    private static string ImageId(string image)
    {
        var repository = image.Split(':')[0];
        return $"{repository}@sha256:{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(image)))}";
    }

    private static V1PodCondition Condition(string type, bool status, DateTime at, string? reason = null, string? message = null) =>
        new() { Type = type, Status = status ? "True" : "False", LastTransitionTime = at, Reason = reason, Message = message };
}
