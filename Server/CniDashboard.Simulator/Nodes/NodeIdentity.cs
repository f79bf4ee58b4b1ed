using System.Globalization;
using System.Net;

namespace CniDashboard.Simulator.Nodes;

/// <summary>Who a simulated node is: its EKS name and labels, its loopback address, its scenario role.</summary>
internal sealed record NodeIdentity(
    int Index,
    string Name,
    IPAddress Address,
    string PrivateIp,
    string Zone,
    string InstanceId,
    NodeGroup Group,
    NodeRole Role)
{
    public const string Region = "us-west-2";

    /// <summary>The node's uid in the API; kept across restarts so node-bound tokens stay valid.</summary>
    public string? Uid { get; set; }

    /// <summary>The <paramref name="n"/>-th pod IP in the node's subnet, as the VPC CNI hands out secondary addresses.</summary>
    public string PodIp(int n)
    {
        var parts = PrivateIp.Split('.');
        var last = (int.Parse(parts[3], CultureInfo.InvariantCulture) + n) % 250;
        return $"{parts[0]}.{parts[1]}.{parts[2]}.{last + 2}";
    }

    /// <summary>
    /// The nodes of a cluster of <paramref name="count"/>, reproducibly from <paramref name="seed"/>:
    /// EKS names from private IPs in three zones' subnets, two node groups, a loopback address each.
    /// </summary>
    public static IReadOnlyList<NodeIdentity> Plan(int count, int seed, IPAddress addressBase, IReadOnlyList<NodeRole> roles)
    {
        var random = new Random(seed);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var nodes = new List<NodeIdentity>(count);
        string[] zones = ["us-west-2a", "us-west-2b", "us-west-2c"];
        var groups = NodeGroup.Defaults;
        var groupCycle = groups.SelectMany(g => Enumerable.Repeat(g, g.Share)).ToArray();
        for (var i = 0; i < count; i++)
        {
            var zoneIndex = i % zones.Length;
            string privateIp;
            do
            {
                // One /19 per zone, as eksctl lays out a VPC: 10.0.0.0/19, 10.0.32.0/19, 10.0.64.0/19.
                privateIp = string.Create(CultureInfo.InvariantCulture, $"10.0.{(zoneIndex * 32) + random.Next(32)}.{random.Next(4, 255)}");
            }
            while (!used.Add(privateIp));

            var name = $"ip-{privateIp.Replace('.', '-')}.{Region}.compute.internal";
            var instanceId = "i-0" + Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64()))[..16];
            nodes.Add(new NodeIdentity(i, name, AddressFor(addressBase, i), privateIp, zones[zoneIndex], instanceId, groupCycle[i % groupCycle.Length], roles[i]));
        }

        return nodes;
    }

    /// <summary>
    /// The <paramref name="index"/>-th address after <paramref name="addressBase"/>, skipping .0 and
    /// addresses above .250 in the last octet: 127.1.0.1 … 127.1.0.250, 127.1.1.1 …
    /// </summary>
    public static IPAddress AddressFor(IPAddress addressBase, int index)
    {
        var bytes = addressBase.GetAddressBytes();
        var start = (bytes[1] << 16) | (bytes[2] << 8);
        var value = start + ((index / 250) << 8) + (index % 250) + 1;
        if (value > 0xFF_FF_FF)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"node {index} does not fit in 127.0.0.0/8 after {addressBase}");
        }

        return new IPAddress([127, (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }
}
