using System.Net;

namespace CniDashboard.Client.Model;

/// <summary>
/// A node name split where people read it: the host label they recognise (<c>ip-10-0-48-46</c>) and the
/// cloud's domain (<c>.us-west-2.compute.internal</c>), which is the same on every node of a cluster and
/// can be dimmed or cut first when space runs out. The two parts always join back to the full name.
/// </summary>
public readonly record struct NodeNameText(string Host, string Domain)
{
    /// <summary>The full name.</summary>
    public string Full => Host + Domain;

    /// <summary>Splits a node name at its first dot; IP addresses and names without a domain stay whole.</summary>
    public static NodeNameText Of(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var dot = name.IndexOf('.', StringComparison.Ordinal);

        // "10.0.1.5" is one address, not host "10" in domain ".0.1.5".
        if (dot <= 0 || dot == name.Length - 1 || IPAddress.TryParse(name, out _))
        {
            return new NodeNameText(name, "");
        }

        return new NodeNameText(name[..dot], name[dot..]);
    }
}
