using CniDashboard.Server.Options;
using k8s;

namespace CniDashboard.Server.Cluster;

/// <summary>Finds how to reach the Kubernetes API: explicit kubeconfig, in-cluster, KUBECONFIG, ~/.kube/config.</summary>
public static class KubernetesConfigLoader
{
    /// <summary>The client configuration, or a <see cref="KubernetesConfigurationMissingException"/> naming the options.</summary>
    public static KubernetesClientConfiguration Load(KubernetesOptions options) =>
        Load(options, Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), KubernetesClientConfiguration.IsInCluster);

    /// <summary>The same, with the environment, home folder and in-cluster check given (tests).</summary>
    public static KubernetesClientConfiguration Load(KubernetesOptions options, Func<string, string?> environment, string home, Func<bool> isInCluster)
    {
        if (!string.IsNullOrWhiteSpace(options.Kubeconfig))
        {
            if (!File.Exists(options.Kubeconfig))
                throw new KubernetesConfigurationMissingException($"The kubeconfig '{options.Kubeconfig}' given with --kubeconfig (Dashboard:Kubernetes:Kubeconfig) does not exist.");
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig, options.Context);
        }

        if (isInCluster()) return KubernetesClientConfiguration.InClusterConfig();

        var fromEnv = environment("KUBECONFIG");
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            var first = fromEnv.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(File.Exists);
            if (first is null)
                throw new KubernetesConfigurationMissingException($"KUBECONFIG is set to '{fromEnv}' but no such file exists.");
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(first, options.Context);
        }

        var homeConfig = Path.Combine(home, ".kube", "config");
        if (File.Exists(homeConfig)) return KubernetesClientConfiguration.BuildConfigFromConfigFile(homeConfig, options.Context);

        throw new KubernetesConfigurationMissingException(
            "No Kubernetes API configuration found. Run the dashboard inside the cluster (service account), set KUBECONFIG, " +
            "create ~/.kube/config, or pass --kubeconfig PATH (Dashboard:Kubernetes:Kubeconfig). To try it without a cluster, run the demo: dotnet run --project Server/CniDashboard.Demo.");
    }
}

/// <summary>The dashboard cannot find a way to reach the Kubernetes API.</summary>
public sealed class KubernetesConfigurationMissingException(string message) : Exception(message);
