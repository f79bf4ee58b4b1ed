using CniDashboard.Client.Model;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Client.Tests.Model;

public class SmallModelTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(2, "just now")]
    [InlineData(45, "45 s ago")]
    [InlineData(12 * 60, "12 min ago")]
    [InlineData(3 * 3600, "3 h ago")]
    [InlineData(3 * 86400, "3 d ago")]
    [InlineData(-120, "in 2 min")]
    public void Times_read_as_how_long_ago(int secondsAgo, string expected) =>
        Assert.Equal(expected, TimeText.Ago(Now.AddSeconds(-secondsAgo), Now));

    [Fact]
    public void Chains_read_with_arrows_and_an_empty_chain_says_so()
    {
        Assert.Equal("aws-cni → egress-cni → portmap → cilium-cni → linkerd-cni", ChainText.Format(["aws-cni", "egress-cni", "portmap", "cilium-cni", "linkerd-cni"]));
        Assert.Equal(ChainText.NoChain, ChainText.Format([]));
    }

    [Fact]
    public void Severity_words_are_never_empty()
    {
        Assert.Equal("Critical", SeverityText.Label(Severity.Critical));
        Assert.Equal("OK", SeverityText.Label(null));
        Assert.Equal(Severity.Warning, SeverityText.Parse("Warning"));
        Assert.Null(SeverityText.Parse("ok"));
    }

    [Fact]
    public void Connection_summary_names_the_watch_that_is_down_and_a_late_poll()
    {
        var status = new ConnectionStatus
        {
            ClusterName = "c",
            Watches = [new WatchHealth("nodes", true, Now, null), new WatchHealth("events", false, Now.AddMinutes(-2), "410 Gone")],
            LastPollAt = Now.AddSeconds(-75),
            PollInterval = TimeSpan.FromSeconds(30),
        };

        var summary = ConnectionSummary.Of(status, Now);

        Assert.False(summary.Healthy);
        Assert.Equal("events watch down since 2026-11-20 09:28:00Z: 410 Gone", summary.WatchText);
        Assert.Equal("last poll 1 min ago (late)", summary.PollText);
        Assert.True(ConnectionSummary.Of(status with { Watches = [status.Watches[0]], LastPollAt = Now.AddSeconds(-10) }, Now).Healthy);
        Assert.Equal("no agent poll yet", ConnectionSummary.Of(status with { LastPollAt = null }, Now).PollText);
    }

    [Fact]
    public void Replica_text_names_this_replica_and_the_leader_only_when_replicas_elect()
    {
        var status = new ConnectionStatus { ClusterName = "c" };

        Assert.Null(ConnectionSummary.ReplicaText(status));
        Assert.Equal("leader web-1 (this replica)", ConnectionSummary.ReplicaText(status with { Replica = "web-1", Leader = "web-1" }));
        Assert.Equal("replica web-2 · leader web-1", ConnectionSummary.ReplicaText(status with { Replica = "web-2", Leader = "web-1" }));
        Assert.Equal("replica web-2 · no leader yet", ConnectionSummary.ReplicaText(status with { Replica = "web-2" }));
    }

    [Fact]
    public void Rollout_state_reads_stuck_before_rolling_out()
    {
        var ds = new DaemonSetStatus { Namespace = "l", Name = "linkerd-cni", Desired = 12, Updated = 12, Ready = 9, Stuck = true };

        Assert.Equal(RolloutState.Stuck, DaemonSetText.StateOf(ds));
        Assert.Equal(RolloutState.RollingOut, DaemonSetText.StateOf(ds with { Stuck = false }));
        Assert.Equal(RolloutState.UpToDate, DaemonSetText.StateOf(ds with { Stuck = false, Ready = 12 }));
        Assert.Equal("12 of 12 updated, 9 of 12 ready", DaemonSetText.Progress(ds));
    }

    [Fact]
    public void Files_are_explained_by_how_the_runtime_treats_them()
    {
        var primary = new NodeFileView { File = new CniFolderFile { Name = "05-cilium.conflist", Kind = CniFileKind.Config }, IsPrimary = true };
        var shadowed = new NodeFileView { File = new CniFolderFile { Name = "10-aws.conflist", Kind = CniFileKind.Config } };
        var backup = new NodeFileView { File = new CniFolderFile { Name = "10-aws.conflist.cilium_bak", Kind = CniFileKind.Other }, IgnoredReason = "not a .conf/.conflist/.json name" };
        var broken = new NodeFileView
        {
            File = new CniFolderFile { Name = "01-bad.conf", Kind = CniFileKind.Config },
            LoadError = new ConfigLoadError(ConfigErrorCode.InvalidJson, "invalid character '}'", 3, 7),
        };

        Assert.Equal(FileStanding.Primary, FileRoleText.StandingOf(primary));
        Assert.Equal(FileStanding.Shadowed, FileRoleText.StandingOf(shadowed));
        Assert.Equal(FileStanding.Ignored, FileRoleText.StandingOf(backup));
        // The analyzer's phrase stands as a sentence beside the file.
        Assert.Equal("Not a .conf/.conflist/.json name", FileRoleText.Explain(backup));
        Assert.Equal(FileStanding.Invalid, FileRoleText.StandingOf(broken));
        Assert.Equal("Does not load: invalid character '}' (line 3, column 7)", FileRoleText.Explain(broken));
        Assert.Contains("outside the folder", FileRoleText.OmissionText(new CniFolderFile { Name = "x", ContentOmitted = ContentOmission.SymlinkOutsideFolder, SymlinkTarget = "/etc/passwd" }));
        Assert.Equal("Not a regular file (a named pipe): the agent never opens it.",
            FileRoleText.OmissionText(new CniFolderFile { Name = "x", ContentOmitted = ContentOmission.SpecialFile, SpecialKind = SpecialFileKind.Fifo }));
        Assert.Contains("has 2 hard links", FileRoleText.OmissionText(new CniFolderFile { Name = "x", ContentOmitted = ContentOmission.HardLinked, LinkCount = 2 }));
    }

    [Fact]
    public void Sandbox_filter_reads_the_url_and_leaves_defaults_out()
    {
        var filter = SandboxErrorFilter.FromQuery("24h", "node", "class", " n1 ", "linkerd-cni", "unauthorized");

        Assert.Equal(TimeSpan.FromHours(24), filter.Window);
        Assert.Equal(SandboxGrouping.Node, filter.GroupBy);
        Assert.Equal(SandboxGrouping.ErrorClass, filter.StackBy);
        Assert.Equal("n1", filter.Node);
        Assert.Equal(SandboxErrorClass.Unauthorized, filter.ErrorClass);
        Assert.Equal("sandbox-errors", Links.SandboxErrorsFiltered(new SandboxErrorFilter()));
        Assert.Equal(new SandboxErrorFilter(), SandboxErrorFilter.FromQuery("2y", "colour", null, null, null, "Nope"));
    }

    [Fact]
    public void Batches_touch_only_what_they_name()
    {
        ClusterChange C(ClusterChangeKind kind, string? node = null) => new() { Kind = kind, At = Now, Node = node };

        Assert.False(ChangeBatch.TouchesNodeRows([C(ClusterChangeKind.DaemonSetChanged)]));
        Assert.True(ChangeBatch.TouchesNodeRows([C(ClusterChangeKind.SandboxError, "n1")]));
        Assert.False(ChangeBatch.TouchesNodeFacets([C(ClusterChangeKind.NodeChanged, "n1")]));
        Assert.False(ChangeBatch.TouchesOverview([C(ClusterChangeKind.ConnectionChanged)]));
        Assert.True(ChangeBatch.TouchesNode([C(ClusterChangeKind.FindingOpened, "n1")], "n1"));
        Assert.False(ChangeBatch.TouchesNode([C(ClusterChangeKind.FindingOpened, "n2")], "n1"));
        Assert.False(ChangeBatch.TouchesNodeFiles([C(ClusterChangeKind.FindingOpened, "n1")], "n1"));
        Assert.True(ChangeBatch.TouchesNodeFiles([C(ClusterChangeKind.NodeChanged, "n1")], "n1"));
        // Dropped changes: everything is re-read.
        var resync = new[] { C(ClusterChangeKind.Resync) };
        Assert.True(ChangeBatch.TouchesNodeRows(resync) && ChangeBatch.TouchesNodeFacets(resync) && ChangeBatch.HasSandboxErrors(resync)
            && ChangeBatch.TouchesNode(resync, "n1") && ChangeBatch.TouchesNodeFiles(resync, "n1") && ChangeBatch.TouchesConnection(resync));
    }
}
