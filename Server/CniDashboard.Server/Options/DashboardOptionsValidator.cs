using System.Net;
using System.Security.Cryptography;
using CniDashboard.Server.Auth;
using CniDashboard.Server.Polling;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Options;

/// <summary>Refuses settings the dashboard cannot run with, or would run insecurely with.</summary>
public sealed class DashboardOptionsValidator : IValidateOptions<DashboardOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDir)) errors.Add("Dashboard:DataDir must name a folder.");
        if (string.IsNullOrWhiteSpace(options.ClusterName)) errors.Add("Dashboard:ClusterName must not be empty.");
        StoreOptionsValidation.Validate(options.Store, errors);
        FleetOptionsValidation.Validate(options, errors);
        if (options.Port is < 0 or > 65535) errors.Add($"Dashboard:Port {options.Port} is not a port number.");

        if (!IPAddress.TryParse(options.ListenAddress, out _) && options.ListenAddress != "localhost")
        {
            errors.Add($"Dashboard:ListenAddress '{options.ListenAddress}' is not an IP address.");
        }
        else
        {
            AuthOptionsValidation.Validate(options, errors);
        }

        if (options.Management.Port is { } managementPort)
        {
            if (managementPort is < 1 or > 65535) errors.Add($"Dashboard:Management:Port {managementPort} is not a port number.");
            else if (managementPort == options.Port) errors.Add("Dashboard:Management:Port must differ from Dashboard:Port.");
            if (!IPAddress.TryParse(options.Management.ListenAddress, out _))
                errors.Add($"Dashboard:Management:ListenAddress '{options.Management.ListenAddress}' is not an IP address.");
        }

        var poller = options.Poller;
        if (poller.Interval < TimeSpan.FromSeconds(1)) errors.Add("Dashboard:Poller:Interval must be at least 1 second.");
        if (poller.Concurrency is < 1 or > 4096) errors.Add("Dashboard:Poller:Concurrency must be between 1 and 4096.");
        if (!Enum.IsDefined(poller.Mode)) errors.Add("Dashboard:Poller:Mode must be announce or poll.");
        if (poller.SafetyInterval < TimeSpan.FromSeconds(10)) errors.Add("Dashboard:Poller:SafetyInterval must be at least 10 seconds.");
        if (poller.AnnouncedBatchSize is < 1 or > 10_000) errors.Add("Dashboard:Poller:AnnouncedBatchSize must be between 1 and 10000.");
        if (poller.RequestTimeout <= TimeSpan.Zero || poller.RequestTimeout > poller.Interval)
            errors.Add("Dashboard:Poller:RequestTimeout must be positive and not longer than the poll interval.");
        if (poller.AgentPort is < 1 or > 65535) errors.Add($"Dashboard:Poller:AgentPort {poller.AgentPort} is not a port number.");
        if (poller.MaxSnapshotBytes < 64 * 1024) errors.Add("Dashboard:Poller:MaxSnapshotBytes must be at least 64 KiB.");
        if (poller.IngestBatchSize is < 1 or > 10_000) errors.Add("Dashboard:Poller:IngestBatchSize must be between 1 and 10000.");
        if (poller.RoundChunkSize is < 1 or > 100_000) errors.Add("Dashboard:Poller:RoundChunkSize must be between 1 and 100000.");
        if (!string.IsNullOrEmpty(poller.AgentCaFile))
        {
            if (!File.Exists(poller.AgentCaFile))
            {
                errors.Add($"Dashboard:Poller:AgentCaFile {poller.AgentCaFile} does not exist.");
            }
            else
            {
                try
                {
                    AgentTrust.ReadCaFile(poller.AgentCaFile);
                }
                catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
                {
                    errors.Add($"Dashboard:Poller:AgentCaFile {poller.AgentCaFile} cannot be used: {ex.Message}");
                }
            }

            if (Uri.CheckHostName(poller.AgentServerName) != UriHostNameType.Dns)
                errors.Add($"Dashboard:Poller:AgentServerName '{poller.AgentServerName}' is not a DNS name (agents' certificates carry e.g. cni-dashboard-agent.cni-dashboard.svc).");
        }

        var kube = options.Kubernetes;
        var components = kube.EffectiveComponents;
        foreach (var c in components)
        {
            if (string.IsNullOrWhiteSpace(c.Name) || string.IsNullOrWhiteSpace(c.Namespace) || string.IsNullOrWhiteSpace(c.Selector))
                errors.Add($"Dashboard:Kubernetes:Components: '{c.Name}' needs Name, Namespace and Selector.");
        }
        if (components.Count(c => c.IsAgent) != 1)
            errors.Add("Dashboard:Kubernetes:Components must mark exactly one component IsAgent=true (where nodes are polled).");
        if (kube.InitialBackoff <= TimeSpan.Zero || kube.MaxBackoff < kube.InitialBackoff)
            errors.Add("Dashboard:Kubernetes: backoff must be positive with MaxBackoff ≥ InitialBackoff.");
        if (kube.WatchTimeout < TimeSpan.FromSeconds(1)) errors.Add("Dashboard:Kubernetes:WatchTimeout must be at least 1 second.");
        if (kube.ListPageSize is < 1 or > 10_000) errors.Add("Dashboard:Kubernetes:ListPageSize must be between 1 and 10000.");
        if (kube.CiliumConfig.Enabled && (string.IsNullOrWhiteSpace(kube.CiliumConfig.Namespace) || string.IsNullOrWhiteSpace(kube.CiliumConfig.Name)))
            errors.Add("Dashboard:Kubernetes:CiliumConfig needs Namespace and Name (or Enabled=false).");

        if (options.Retention.Keep < TimeSpan.FromHours(1)) errors.Add("Dashboard:Retention:Keep must be at least 1 hour.");
        if (options.Retention.Interval < TimeSpan.FromSeconds(1)) errors.Add("Dashboard:Retention:Interval must be at least 1 second.");

        var q = options.Queries;
        if (q.MaxPageSize < 1 || q.MaxHistory < 1 || q.MaxSandboxEvents < 1 || q.MaxRecentSandboxIncrements < 1 || q.RecentChanges < 0)
            errors.Add("Dashboard:Queries caps must be positive.");

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
