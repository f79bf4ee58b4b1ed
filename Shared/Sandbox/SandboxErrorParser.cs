using System.Text.RegularExpressions;

namespace CniDashboard.Shared.Sandbox;

/// <summary>
/// Takes apart the kubelet's <c>FailedCreatePodSandBox</c> messages (CRI form of containerd/CRI-O
/// and the pre-1.24 dockershim form) and the node's <c>NetworkReady=false</c> condition text.
/// Never throws: a message it does not recognise is <see cref="SandboxErrorClass.Other"/> with its text kept.
/// </summary>
public static partial class SandboxErrorParser
{
    /// <summary>Only this much of a message is searched; event messages are far shorter.</summary>
    public const int MaxScannedLength = 16 * 1024;

    private const int TimeoutMs = 250;

    // plugin type="linkerd-cni" name="linkerd-cni" failed (add): Unauthorized
    [GeneratedRegex("""plugin type="(?<type>[^"]*)"(?:\s+name="(?<name>[^"]*)")?\s+failed\s+\((?<op>add|delete|del|check)\):\s?(?<error>.*)""", RegexOptions.Singleline | RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeoutMs)]
    private static partial Regex PluginClause();

    // failed to find plugin "linkerd-cni" in path [/opt/cni/bin]
    [GeneratedRegex("""failed to find plugin "(?<type>[^"]*)" in path.*""", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex PluginNotFound();

    // ... for sandbox "41b3…": / failed to set up sandbox container "3c1f..." network
    [GeneratedRegex("""sandbox(?: container)? "(?<id>[^"]+)"(?::\s?(?<rest>.*))?""", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex SandboxId();

    // dockershim: ... network for pod "web-7d9f8b6c5d-x2x4q": networkPlugin cni failed to set up pod ...
    [GeneratedRegex("""network for pod "(?<pod>[^"]+)"(?::\s?(?<rest>.*))?""", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex DockershimPod();

    // container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:…
    [GeneratedRegex("""NetworkReady=false\s+reason:(?<reason>\S*)(?:\s+message:(?<message>.*))?""", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex NetworkNotReady();

    [GeneratedRegex("""\b(?:set ?up|setup)\b.{0,40}\bnetwork|\bnetwork\b.{0,40}\bset ?up\b|\bcreate pod sandbox\b""", RegexOptions.Singleline | RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeoutMs)]
    private static partial Regex SetUpWording();

    [GeneratedRegex("""\b(?:tear ?down|teardown|destroy|remove)\b.{0,40}\bnetwork|\bKillPodSandbox\b|\bStopPodSandbox\b""", RegexOptions.Singleline | RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeoutMs)]
    private static partial Regex TearDownWording();

    [GeneratedRegex("""\bUnauthorized\b""", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeoutMs)]
    private static partial Regex UnauthorizedText();

    [GeneratedRegex("""\bForbidden\b""", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeoutMs)]
    private static partial Regex ForbiddenText();

    [GeneratedRegex("""incompatible CNI versions?|unsupported CNI result version|does not support (?:the )?(?:config )?version|plugin supports \[""", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeoutMs)]
    private static partial Regex IncompatibleVersionText();

    [GeneratedRegex("""unable to connect to \S+ daemon|dial unix|dial tcp|connection refused|\.sock\b|failed to connect to|rpc error: code = Unavailable|no such host""", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeoutMs)]
    private static partial Regex DaemonUnreachableText();

    [GeneratedRegex("""\bIPAM\b|assign an IP address|allocate (?:an )?IP|no IP addresses available|failed to allocate for range|IP address.{0,20}exhausted|no available IPs?""", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeoutMs)]
    private static partial Regex IpamText();

    [GeneratedRegex("""exit status \d+|executable file not found|signal: \w+|no such file or directory.{0,30}exec|fork/exec""", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeoutMs)]
    private static partial Regex BinaryExitText();

    [GeneratedRegex("""cni plugin not initialized|cni config uninitialized|no networks found in|network plugin is not ready""", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeoutMs)]
    private static partial Regex NotInitializedText();

    /// <summary>Parses one message. A null, empty or unrecognised message gives <see cref="SandboxErrorClass.Other"/>.</summary>
    public static SandboxFailure Parse(string? message)
    {
        message ??= "";
        try
        {
            return ParseCore(message);
        }
        catch (RegexMatchTimeoutException)
        {
            // A message that defeats the patterns is still a failure worth listing.
            return new SandboxFailure { ErrorText = message, ErrorClass = SandboxErrorClass.Other };
        }
    }

    private static SandboxFailure ParseCore(string message)
    {
        var scanned = message.Length > MaxScannedLength ? message[..MaxScannedLength] : message;

        var notReady = NetworkNotReady().Match(scanned);
        if (notReady.Success)
        {
            var text = notReady.Groups["message"].Success ? notReady.Groups["message"].Value.Trim() : scanned.Trim();
            return new SandboxFailure
            {
                ErrorText = text.Length > 0 ? text : scanned,
                ErrorClass = notReady.Groups["reason"].Value == "NetworkPluginNotReady" || NotInitializedText().IsMatch(text)
                    ? SandboxErrorClass.NetworkNotReady
                    : Classify(text),
            };
        }

        var sandbox = SandboxId().Match(scanned);
        var pod = DockershimPod().Match(scanned);
        string? pluginType = null, pluginName = null, errorText = null;
        SandboxOperation? operation = null;
        SandboxErrorClass? errorClass = null;

        var clause = PluginClause().Match(scanned);
        if (clause.Success)
        {
            pluginType = clause.Groups["type"].Value;
            pluginName = clause.Groups["name"].Success ? clause.Groups["name"].Value : null;
            operation = clause.Groups["op"].Value.ToLowerInvariant() switch
            {
                "del" or "delete" => SandboxOperation.Del,
                "check" => SandboxOperation.Check,
                _ => SandboxOperation.Add,
            };
            // The scanned text is a prefix of the message: take the error to the message's real end.
            errorText = message[clause.Groups["error"].Index..].Trim();
        }
        else if (PluginNotFound().Match(scanned) is { Success: true } notFound)
        {
            pluginType = notFound.Groups["type"].Value;
            errorText = notFound.Value.Trim();
            errorClass = SandboxErrorClass.PluginNotFound;
        }
        else if (sandbox.Success && sandbox.Groups["rest"].Success && !pod.Success)
        {
            errorText = message[sandbox.Groups["rest"].Index..].Trim();
        }

        operation ??= TearDownWording().IsMatch(scanned) ? SandboxOperation.Del
            : SetUpWording().IsMatch(scanned) && (sandbox.Success || pod.Success) ? SandboxOperation.Add
            : null;

        var recognised = clause.Success || errorClass is not null || sandbox.Success;
        var finalText = string.IsNullOrEmpty(errorText) ? message : errorText;
        return new SandboxFailure
        {
            SandboxId = sandbox.Success ? sandbox.Groups["id"].Value : null,
            PluginType = string.IsNullOrEmpty(pluginType) ? null : pluginType,
            PluginName = string.IsNullOrEmpty(pluginName) ? null : pluginName,
            Operation = recognised ? operation : null,
            ErrorText = finalText,
            ErrorClass = errorClass ?? (NotInitializedText().IsMatch(finalText) ? SandboxErrorClass.NetworkNotReady : Classify(finalText)),
            PodName = pod.Success ? pod.Groups["pod"].Value : null,
        };
    }

    /// <summary>The class of a plugin's error text; order matters (an Unauthorized text may also mention a socket).</summary>
    private static SandboxErrorClass Classify(string text)
    {
        if (text.Contains("failed to find plugin", StringComparison.Ordinal)) return SandboxErrorClass.PluginNotFound;
        if (IncompatibleVersionText().IsMatch(text)) return SandboxErrorClass.IncompatibleVersion;
        if (UnauthorizedText().IsMatch(text)) return SandboxErrorClass.Unauthorized;
        if (ForbiddenText().IsMatch(text)) return SandboxErrorClass.Forbidden;
        if (DaemonUnreachableText().IsMatch(text)) return SandboxErrorClass.DaemonUnreachable;
        if (IpamText().IsMatch(text)) return SandboxErrorClass.Ipam;
        if (BinaryExitText().IsMatch(text)) return SandboxErrorClass.BinaryExit;
        return SandboxErrorClass.Other;
    }
}
