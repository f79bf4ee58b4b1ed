using System.Net;
using CniDashboard.Agent.Node;
using CniDashboard.Agent.Tests.Support;
using CniDashboard.Shared.Agent;

namespace CniDashboard.Agent.Tests;

public sealed class ChangeIdTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("7")]
    [InlineData("fix-incident-1")]
    [InlineData("plan_42.step-3")]
    [InlineData("20261126T140507123Z-chg-1")]
    public void Plain_ids_are_accepted(string id) => Assert.True(NodeAgent.IsId(id));

    [Theory]
    [InlineData("")]
    [InlineData("-leading-dash")]
    [InlineData(".hidden")]
    [InlineData("_underscore")]
    [InlineData("../backups")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("line\nbreak")]
    [InlineData("naïve")]
    [InlineData("ａ")] // a full-width letter is not an ASCII letter
    [InlineData("id;rm -rf")]
    public void Anything_else_is_refused(string id) => Assert.False(NodeAgent.IsId(id));

    [Fact]
    public void Ids_are_at_most_128_characters_and_never_null()
    {
        Assert.True(NodeAgent.IsId(new string('a', 128)));
        Assert.False(NodeAgent.IsId(new string('a', 129)));
        Assert.False(NodeAgent.IsId(null));
    }

    [Fact]
    public async Task An_apply_with_a_bad_change_id_is_400_and_writes_nothing()
    {
        using var node = new TempNode();
        await using var agent = await RunningAgent.StartAsync(node);
        var before = node.Read("10-aws.conflist");
        var request = new ApplyFileRequest { ChangeId = "../escape", ExpectedSha256 = node.Sha("10-aws.conflist"), Content = before.Replace("9001", "1500", StringComparison.Ordinal) };

        var error = await RunningAgent.ErrorOf(await agent.ApplyAsync("10-aws.conflist", request), HttpStatusCode.BadRequest);

        Assert.Equal(AgentErrorCodes.InvalidRequest, error.Code);
        Assert.Contains("changeId", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, node.Read("10-aws.conflist"));
        Assert.False(Directory.Exists(node.BackupDir) && Directory.EnumerateFiles(node.BackupDir, "*.json").Any());
    }
}
