using System.Net;
using System.Net.Sockets;

namespace CniDashboard.Server.Auth;

/// <summary>A set of networks given as CIDRs (<c>10.0.0.0/8</c>) or single addresses (<c>10.1.2.3</c>).</summary>
public sealed class TrustedNetworks
{
    private TrustedNetworks(IReadOnlyList<IPNetwork> networks) => Networks = networks;

    /// <summary>The networks.</summary>
    public IReadOnlyList<IPNetwork> Networks { get; }

    /// <summary>Parses every entry; an entry that is not a CIDR or an address is named in <paramref name="errors"/>.</summary>
    public static TrustedNetworks Parse(IEnumerable<string> entries, string setting, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(errors);
        var networks = new List<IPNetwork>();
        foreach (var raw in entries)
        {
            var entry = raw?.Trim() ?? "";
            if (IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                errors.Add($"{setting}: '{entry}' is not a CIDR (e.g. 10.0.0.0/8) or an IP address.");
            }
        }

        return new TrustedNetworks(networks);
    }

    /// <summary>Parses entries already validated at start-up.</summary>
    public static TrustedNetworks Parse(IEnumerable<string> entries) => Parse(entries, "networks", new List<string>());

    /// <summary>Whether <paramref name="address"/> (IPv4-mapped IPv6 compared as IPv4) is in one of the networks.</summary>
    public bool Contains(IPAddress? address)
    {
        if (address is null) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var network in Networks)
        {
            if (network.Contains(address)) return true;
        }

        return false;
    }
}
