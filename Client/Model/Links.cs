using System.Globalization;
using System.Text;

namespace CniDashboard.Client.Model;

/// <summary>Addresses of the dashboard's pages, built in one place so links between pages agree.</summary>
public static class Links
{
    /// <summary>The Overview.</summary>
    public const string Overview = "";

    /// <summary>The Nodes page, unfiltered.</summary>
    public const string Nodes = "nodes";

    /// <summary>The Sandbox errors page, default window.</summary>
    public const string SandboxErrors = "sandbox-errors";

    /// <summary>The Audit log page, newest first, unfiltered.</summary>
    public const string Audit = "audit";

    /// <summary>The Administration page (settings, audit verification).</summary>
    public const string Admin = "admin";

    /// <summary>The remediation plans, newest first.</summary>
    public const string Remediation = "remediation";

    /// <summary>A remediation plan's page.</summary>
    public static string Plan(string id) => Remediation + "/" + Uri.EscapeDataString(id);

    /// <summary>
    /// The wizard that plans a fix for a rule's findings (optionally of one plugin) on some nodes
    /// (none: every node that shows the finding).
    /// </summary>
    public static string NewPlan(string rule, string? plugin = null, IReadOnlyCollection<string>? nodes = null) =>
        WithQuery(Remediation + "/new", new Dictionary<string, object?>
        {
            ["rule"] = rule,
            ["plugin"] = plugin,
            ["nodes"] = nodes is { Count: > 0 } ? string.Join(",", nodes) : null,
        });

    /// <summary>The Nodes page with a filter, e.g. <c>nodes?rule=mesh-token-pod-gone</c>.</summary>
    public static string NodesFiltered(NodeFilter filter) => WithQuery(Nodes, filter.ToQueryParameters());

    /// <summary>The Nodes page showing nodes with an open finding of a rule.</summary>
    public static string NodesWithRule(string rule) => NodesFiltered(new NodeFilter { Rule = rule });

    /// <summary>The Nodes page filtered to a severity token (critical, warning, info, ok) or stale agents.</summary>
    public static string NodesWithSeverity(string token) => token == "stale"
        ? NodesFiltered(new NodeFilter { Stale = true })
        : NodesFiltered(new NodeFilter().WithSeverityToken(token));

    /// <summary>A node's detail page.</summary>
    public static string Node(string name) => "nodes/" + Uri.EscapeDataString(name);

    /// <summary>A node's detail page, at a section anchor (e.g. <c>chain-4</c>, <c>finding-mesh-token-pod-gone</c>).</summary>
    public static string NodeSection(string name, string anchor) => Node(name) + "#" + anchor;

    /// <summary>A node's detail page with the diff showing what a snapshot changed.</summary>
    public static string NodeChange(string name, long snapshotId) =>
        WithQuery(Node(name), new Dictionary<string, object?>
        {
            [DiffSelection.Keys.Compare] = DiffSelection.ChangeToken,
            [DiffSelection.Keys.With] = snapshotId.ToString(CultureInfo.InvariantCulture),
        }) + "#diff";

    /// <summary>The Sandbox errors page filtered.</summary>
    public static string SandboxErrorsFiltered(SandboxErrorFilter filter) => WithQuery(SandboxErrors, filter.ToQueryParameters());

    /// <summary>The anchor id of a chain entry on the node page.</summary>
    public static string ChainAnchor(int index) => "chain-" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The anchor of the chain entry a pointer like <c>/plugins/4</c> names; the chain's heading otherwise.</summary>
    public static string ChainAnchorFor(string? jsonPointer)
    {
        const string Prefix = "/plugins/";
        return jsonPointer is not null && jsonPointer.StartsWith(Prefix, StringComparison.Ordinal)
            && int.TryParse(jsonPointer.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? ChainAnchor(index)
            : "chain-heading";
    }

    /// <summary>The anchor id of a finding on the node page.</summary>
    public static string FindingAnchor(string rule) => "finding-" + rule;

    /// <summary>A relative URL with the non-empty parameters, in a stable order.</summary>
    public static string WithQuery(string path, IReadOnlyDictionary<string, object?> parameters)
    {
        var builder = new StringBuilder(path);
        var separator = '?';
        foreach (var (key, value) in parameters)
        {
            var text = Convert.ToString(value, CultureInfo.InvariantCulture);
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            builder.Append(separator).Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(text));
            separator = '&';
        }

        return builder.ToString();
    }
}
