using CniDashboard.Server.Cluster;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Server.Tests.Cluster;

public sealed class CiliumConfigStateTests
{
    [Fact]
    public void A_change_is_raised_only_when_the_data_differs_and_says_what_changed()
    {
        var state = new ClusterState(new FakeTimeProvider());
        var changes = new List<ClusterFactChange>();
        state.Changed += changes.Add;

        state.SetCiliumConfig(new Dictionary<string, string> { ["cni-exclusive"] = "false", ["routing-mode"] = "native" });
        // A relist or a resync delivering the same data again is not a change.
        state.SetCiliumConfig(new Dictionary<string, string> { ["routing-mode"] = "native", ["cni-exclusive"] = "false" });
        state.SetCiliumConfig(new Dictionary<string, string> { ["cni-exclusive"] = "true", ["routing-mode"] = "native" });
        var before = state.CiliumConfig;
        state.SetCiliumConfig(null);
        state.SetCiliumConfig(new Dictionary<string, string>());

        Assert.Equal(
            [
                (ClusterFactKind.CiliumConfigChanged, "cilium-config cni-exclusive: false, routing-mode: native"),
                (ClusterFactKind.CiliumConfigChanged, "cilium-config cni-exclusive: true"),
                (ClusterFactKind.CiliumConfigChanged, "cilium-config gone"),
            ],
            changes.Select(c => (c.Kind, c.Summary)));
        Assert.Null(changes[0].Node);
        // Readers keep what they were handed: it is replaced, never changed in place.
        Assert.Equal("true", before["cni-exclusive"]);
        Assert.Empty(state.CiliumConfig);
        Assert.Equal(3, state.Version);
    }
}
