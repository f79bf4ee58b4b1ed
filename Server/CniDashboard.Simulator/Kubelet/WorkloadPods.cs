using System.Security.Cryptography;
using System.Text;
using k8s.Models;

namespace CniDashboard.Simulator.Kubelet;

/// <summary>
/// The ordinary pods the simulated scheduler places on nodes: replicas of a few meshed services,
/// named like Deployment pods (<c>checkout-5d8f7b9c6d-x2x4q</c>).
/// </summary>
internal static class WorkloadPods
{
    private const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private static readonly (string Namespace, string App, string Image)[] Apps =
    [
        ("shop", "checkout", "public.ecr.aws/example/checkout:2.14.0"),
        ("shop", "cart", "public.ecr.aws/example/cart:1.9.3"),
        ("shop", "catalog", "public.ecr.aws/example/catalog:3.2.1"),
        ("payments", "payments-api", "public.ecr.aws/example/payments-api:5.0.7"),
        ("payments", "fraud-check", "public.ecr.aws/example/fraud-check:0.18.2"),
        ("web", "frontend", "public.ecr.aws/nginx/nginx:1.27.3"),
        ("web", "search", "public.ecr.aws/example/search:4.1.0"),
    ];

    /// <summary>The namespaces the workloads live in.</summary>
    public static IReadOnlyList<string> Namespaces { get; } = [.. Apps.Select(a => a.Namespace).Distinct()];

    public static int AppCount => Apps.Length;

    /// <summary>A new replica of app <paramref name="app"/> bound to <paramref name="nodeName"/> (the scheduler's decision).</summary>
    public static V1Pod For(int app, string nodeName)
    {
        var (@namespace, name, image) = Apps[app % Apps.Length];
        var podTemplateHash = Hash(name, 10);
        return new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                GenerateName = $"{name}-{podTemplateHash}-",
                NamespaceProperty = @namespace,
                Labels = new Dictionary<string, string>
                {
                    ["app.kubernetes.io/name"] = name,
                    ["pod-template-hash"] = podTemplateHash,
                },
                Annotations = new Dictionary<string, string> { ["linkerd.io/inject"] = "enabled" },
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = "apps/v1",
                        Kind = "ReplicaSet",
                        Name = $"{name}-{podTemplateHash}",
                        Uid = Uid(name),
                        Controller = true,
                        BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = new V1PodSpec
            {
                NodeName = nodeName,
                SchedulerName = "default-scheduler",
                RestartPolicy = "Always",
                ServiceAccountName = "default",
                TerminationGracePeriodSeconds = 30,
                Containers =
                [
                    new V1Container
                    {
                        Name = name,
                        Image = image,
                        ImagePullPolicy = "IfNotPresent",
                        Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080, Protocol = "TCP" }],
                    },
                ],
            },
        };
    }

    private static string Hash(string text, int length)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = SafeAlphabet[hash[i] % SafeAlphabet.Length];
        }

        return new string(chars);
    }

    private static string Uid(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("replicaset/" + name));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }
}
