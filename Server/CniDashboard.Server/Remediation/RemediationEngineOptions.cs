using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Remediation;

/// <summary>The remediation engine's settings (<c>Dashboard:Remediation</c>).</summary>
public sealed class RemediationEngineOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Dashboard:Remediation";

    /// <summary>Whether the engine runs plans (plans can still be written and approved when off; none starts).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The dashboard's namespace: the Lease and the probe pods live there.</summary>
    public string Namespace { get; set; } = "cni-dashboard";

    /// <summary>This dashboard's name in the Lease (default: the host name, which is the pod's name).</summary>
    public string Identity { get; set; } = Environment.MachineName;

    /// <summary>How long the Lease lasts without a renewal; another dashboard may take it after that.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the engine looks again at a step that observes (a replacement pod, a verification window) and at open plans.</summary>
    public TimeSpan ObserveInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The probe pod's image.</summary>
    public string ProbeImage { get; set; } = "registry.k8s.io/pause:3.10";

    /// <summary>kured's namespace.</summary>
    public string KuredNamespace { get; set; } = "kube-system";

    /// <summary>kured's DaemonSet (its lock annotation is read).</summary>
    public string KuredDaemonSet { get; set; } = "kured";

    /// <summary>Where to post plan notifications (submitted, approved, paused, finished); none when empty.</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>The webhook's body: <c>json</c> (the event) or <c>slack</c> (<c>{"text": …}</c>).</summary>
    public string WebhookFormat { get; set; } = "json";
}

/// <summary>Refuses engine settings it cannot run with, at start.</summary>
public sealed class RemediationEngineOptionsValidator : IValidateOptions<RemediationEngineOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RemediationEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string at = RemediationEngineOptions.Section;
        if (string.IsNullOrWhiteSpace(options.Namespace) || options.Namespace.Length > 63 || !options.Namespace.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            errors.Add($"{at}:Namespace '{options.Namespace}' is not a namespace name.");
        if (string.IsNullOrWhiteSpace(options.Identity) || options.Identity.Length > 253)
            errors.Add($"{at}:Identity must be 1-253 characters.");
        if (options.LeaseDuration < TimeSpan.FromSeconds(5) || options.LeaseDuration > TimeSpan.FromMinutes(10))
            errors.Add($"{at}:LeaseDuration must be between 5 s and 10 min (got {options.LeaseDuration:c}).");
        if (options.ObserveInterval < TimeSpan.FromMilliseconds(100) || options.ObserveInterval * 3 > options.LeaseDuration)
            errors.Add($"{at}:ObserveInterval must be at least 100 ms and at most a third of LeaseDuration, so the Lease is renewed in time (got {options.ObserveInterval:c}).");
        if (string.IsNullOrWhiteSpace(options.ProbeImage)) errors.Add($"{at}:ProbeImage is required.");
        if (options.WebhookUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("https" or "http")))
            errors.Add($"{at}:WebhookUrl must be an absolute http(s) URL.");
        if (options.WebhookFormat is not ("json" or "slack"))
            errors.Add($"{at}:WebhookFormat must be 'json' or 'slack' (got '{options.WebhookFormat}').");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
