using CniDashboard.Client.Model;

namespace CniDashboard.Client.Tests.Model;

/// <summary>How node names and chains are cut to fit a grid row without losing anything.</summary>
public class RowTextTests
{
    [Theory]
    [InlineData("ip-10-0-48-46.us-west-2.compute.internal", "ip-10-0-48-46", ".us-west-2.compute.internal")]
    [InlineData("worker-7", "worker-7", "")]
    [InlineData("10.0.1.5", "10.0.1.5", "")]
    [InlineData("fd00::1", "fd00::1", "")]
    [InlineData(".hidden", ".hidden", "")]
    [InlineData("trailing.", "trailing.", "")]
    public void A_node_name_splits_into_the_host_label_and_the_shared_domain(string name, string host, string domain)
    {
        var parts = NodeNameText.Of(name);

        Assert.Equal(host, parts.Host);
        Assert.Equal(domain, parts.Domain);
        Assert.Equal(name, parts.Full);
    }

    [Fact]
    public void A_chain_wraps_only_after_its_arrows_and_reads_the_same_joined()
    {
        string[] chain = ["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"];

        var pieces = ChainText.WrapPieces(chain);

        Assert.Equal(["aws-cni →", "egress-cni →", "portmap →", "cilium-cni →", "linkerd-cni"], pieces);
        Assert.Equal(ChainText.Format(chain), string.Join(' ', pieces));
        Assert.Equal([ChainText.NoChain], ChainText.WrapPieces([]));
        Assert.Equal(["portmap"], ChainText.WrapPieces(["portmap"]));
    }
}
