using System.Globalization;
using System.Text.Json;
using CniDashboard.Shared.Remediation;
using k8s.Models;

namespace CniDashboard.Simulator.Scenarios;

/// <summary>
/// kured, the reboot daemon, as its manifest installs it (<c>kube-system/kured</c>). What matters
/// here is its lock: while kured reboots a node it holds the <c>weave.works/kured-node-lock</c>
/// annotation on its own DaemonSet, and the remediation engine must not start (or go on) then. Its
/// pods need a sandbox like any pod (no host network).
/// </summary>
public static class KuredDaemonSet
{
    public const string Name = "kured";
    public const string Namespace = CniDaemonSets.KubeSystem;
    public const string Image = "ghcr.io/kubereboot/kured:1.17.1";

    /// <summary>The lock annotation (<see cref="RemediationKeys.KuredLockAnnotation"/>).</summary>
    public const string LockAnnotation = RemediationKeys.KuredLockAnnotation;

    public static V1DaemonSet Create() => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = Name,
            NamespaceProperty = Namespace,
            Labels = new Dictionary<string, string> { ["name"] = Name, ["app.kubernetes.io/name"] = Name },
        },
        Spec = new V1DaemonSetSpec
        {
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["name"] = Name } },
            UpdateStrategy = new V1DaemonSetUpdateStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDaemonSet { MaxUnavailable = 1, MaxSurge = 0 } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["name"] = Name, ["app.kubernetes.io/name"] = Name } },
                Spec = new V1PodSpec
                {
                    ServiceAccountName = Name,
                    HostPID = true,
                    RestartPolicy = "Always",
                    NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" },
                    Tolerations = [new V1Toleration { Key = "node-role.kubernetes.io/control-plane", Effect = "NoSchedule" }],
                    Containers =
                    [
                        new V1Container
                        {
                            Name = Name,
                            Image = Image,
                            ImagePullPolicy = "IfNotPresent",
                            SecurityContext = new V1SecurityContext { Privileged = true },
                            Command = ["/usr/bin/kured", "--period=1h", "--ds-namespace=kube-system", "--ds-name=kured", $"--lock-annotation={LockAnnotation}"],
                            Env = [new V1EnvVar { Name = "KURED_NODE_ID", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "spec.nodeName" } } }],
                            VolumeMounts = [new V1VolumeMount { Name = "hostrun", MountPath = "/var/run" }],
                        },
                    ],
                    Volumes = [new V1Volume { Name = "hostrun", HostPath = new V1HostPathVolumeSource { Path = "/var/run" } }],
                },
            },
        },
    };

    /// <summary>The annotation value kured writes when <paramref name="node"/> takes the lock: <c>{"nodeID", "metadata", "created", "TTL"}</c>.</summary>
    public static string LockValue(string node, DateTimeOffset created, bool wasUnschedulable = false) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["nodeID"] = node,
            ["metadata"] = new Dictionary<string, bool> { ["unschedulable"] = wasUnschedulable },
            ["created"] = created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["TTL"] = 0,
        });
}
