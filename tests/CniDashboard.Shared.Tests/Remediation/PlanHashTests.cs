using System.Reflection;
using System.Text.Json;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Remediation;

namespace CniDashboard.Shared.Tests.Remediation;

public sealed class PlanHashTests
{
    [Fact]
    public void The_same_plan_hashes_the_same_and_survives_persisting()
    {
        var plan = Plans.Pending();
        var read = JsonSerializer.Deserialize(JsonSerializer.Serialize(plan, RemediationJsonContext.Default.RemediationPlan), RemediationJsonContext.Default.RemediationPlan)!;

        Assert.Equal(plan.Sha256(), Plans.Pending().Sha256());
        Assert.Equal(plan.Sha256(), read.Sha256());
        Assert.Matches("^[0-9a-f]{64}$", plan.Sha256());
    }

    public static TheoryData<string> OptionNames =>
    [
        .. typeof(RemediationOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name),
        .. typeof(SuccessCriteria).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => "Success." + p.Name),
    ];

    /// <summary>Enumerated by reflection: an option added later and left out of the hash fails here.</summary>
    [Theory]
    [MemberData(nameof(OptionNames))]
    public void Every_option_is_part_of_the_hash(string option)
    {
        var plan = Plans.Draft();
        var changed = plan with { Options = Changed(plan.Options, option) };

        Assert.NotEqual(plan.Options, changed.Options);
        Assert.NotEqual(plan.Sha256(), changed.Sha256());
    }

    public static TheoryData<string> EditChanges => ["file", "kind", "expected sha256", "new sha256", "an edit more", "an edit less"];

    [Theory]
    [MemberData(nameof(EditChanges))]
    public void Every_edit_field_is_part_of_the_hash(string change)
    {
        var plan = Plans.Draft();
        var node = plan.Nodes[1];
        var edit = node.Edits[0];
        IReadOnlyList<PlannedEdit> edits = change switch
        {
            "file" => [edit with { File = "04-cilium.conflist" }, .. node.Edits.Skip(1)],
            "kind" => [edit with { Kind = FileEditKind.Delete }, .. node.Edits.Skip(1)],
            "expected sha256" => [edit with { ExpectedSha256 = new string('a', 64) }, .. node.Edits.Skip(1)],
            "new sha256" => [edit with { NewSha256 = new string('b', 64) }, .. node.Edits.Skip(1)],
            "an edit more" => [.. node.Edits, edit with { File = "20-other.conflist" }],
            "an edit less" => [.. node.Edits.Skip(1)],
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };

        var changed = plan with { Nodes = [plan.Nodes[0], node with { Edits = edits }, .. plan.Nodes.Skip(2)] };

        Assert.NotEqual(plan.Sha256(), changed.Sha256());
    }

    [Fact]
    public void Node_order_names_risk_notes_rule_plugin_component_and_author_are_part_of_the_hash()
    {
        var plan = Plans.Draft();
        var hash = plan.Sha256();

        Assert.NotEqual(hash, (plan with { Nodes = [.. plan.Nodes.Reverse()] }).Sha256());
        Assert.NotEqual(hash, (plan with { Nodes = [plan.Nodes[0] with { Node = "node-z" }, .. plan.Nodes.Skip(1)] }).Sha256());
        Assert.NotEqual(hash, (plan with { Risks = [plan.Risks[0] with { Text = plan.Risks[0].Text + " (edited)" }, .. plan.Risks.Skip(1)] }).Sha256());
        Assert.NotEqual(hash, (plan with { Rule = "duplicate-plugin" }).Sha256());
        Assert.NotEqual(hash, (plan with { Plugin = "istio-cni" }).Sha256());
        Assert.NotEqual(hash, (plan with { Component = new RemediationComponent("linkerd-cni", "other") }).Sha256());
        Assert.NotEqual(hash, (plan with { Author = "someone-else" }).Sha256());
        Assert.NotEqual(hash, (plan with { Id = "rp-other" }).Sha256());
    }

    [Fact]
    public void Progress_and_approvals_are_not_part_of_the_hash()
    {
        var approved = Plans.Approved();
        var now = Plans.T0.AddMinutes(3);
        var running = approved.Start(Plans.Author, now, Plans.Clear).Drive(ref now);

        Assert.Equal(PlanState.Completed, running.State);
        Assert.Equal(approved.Sha256(), running.Sha256());
        Assert.Equal(Plans.Pending().Sha256(), approved.Sha256());
    }

    private static RemediationOptions Changed(RemediationOptions options, string name)
    {
        if (name.StartsWith("Success.", StringComparison.Ordinal))
        {
            var property = typeof(SuccessCriteria).GetProperty(name["Success.".Length..])!;
            var criteria = options.Success with { };
            property.SetValue(criteria, Flip(property.GetValue(criteria)));
            return options with { Success = criteria };
        }
        var option = typeof(RemediationOptions).GetProperty(name)!;
        var copy = options with { };
        option.SetValue(copy, Flip(option.GetValue(copy)));
        return copy;
    }

    private static object? Flip(object? value) => value switch
    {
        bool b => !b,
        int i => i + 1,
        TimeSpan t => t + TimeSpan.FromSeconds(1),
        SuccessCriteria s => s with { ProbePodRunning = !s.ProbePodRunning },
        _ => throw new InvalidOperationException($"no way to change a {value?.GetType().Name} option: teach the test"),
    };
}
