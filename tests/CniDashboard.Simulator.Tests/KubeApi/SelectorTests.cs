using System.Net;
using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Selectors;

namespace CniDashboard.Simulator.Tests.KubeApi;

public sealed class SelectorTests
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["app"] = "cilium",
        ["tier"] = "node",
        ["generation"] = "7",
    };

    [Theory]
    [InlineData("", true)]
    [InlineData("app=cilium", true)]
    [InlineData("app==cilium", true)]
    [InlineData("app=aws-node", false)]
    [InlineData("app!=aws-node", true)]
    [InlineData("missing!=x", true)]
    [InlineData("app in (aws-node, cilium)", true)]
    [InlineData("app in (aws-node)", false)]
    [InlineData("app notin (aws-node)", true)]
    [InlineData("missing notin (x)", true)]
    [InlineData("tier", true)]
    [InlineData("missing", false)]
    [InlineData("!missing", true)]
    [InlineData("!tier", false)]
    [InlineData("generation>5", true)]
    [InlineData("generation<5", false)]
    [InlineData("app=cilium,tier in (node,edge),!missing", true)]
    [InlineData("app=cilium,tier in (edge)", false)]
    public void Label_selectors_match_as_on_the_real_server(string selector, bool matches) =>
        Assert.Equal(matches, LabelSelector.Parse(selector).Matches(Labels));

    [Theory]
    [InlineData("app in cilium")]
    [InlineData("=value")]
    [InlineData("a b=c")]
    public void A_malformed_label_selector_is_a_bad_request(string selector)
    {
        var error = Assert.Throws<KubeApiException>(() => LabelSelector.Parse(selector));
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public void Field_selectors_parse_every_operator_and_escapes()
    {
        var selector = FieldSelector.Parse(@"spec.nodeName=ip-10-0-1-5.ec2.internal,status.phase!=Running,reason==Failed\,Again");

        Assert.Equal(
            [
                new FieldRequirement("spec.nodeName", false, "ip-10-0-1-5.ec2.internal"),
                new FieldRequirement("status.phase", true, "Running"),
                new FieldRequirement("reason", false, "Failed,Again"),
            ],
            selector.Requirements);
        Assert.Equal("ip-10-0-1-5.ec2.internal", selector.EqualityValue("spec.nodeName"));
        Assert.Null(selector.EqualityValue("status.phase"));
    }

    [Fact]
    public void A_field_selector_without_an_operator_is_a_bad_request()
    {
        var error = Assert.Throws<KubeApiException>(() => FieldSelector.Parse("spec.nodeName"));
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public void A_structured_selector_uses_match_labels_and_match_expressions()
    {
        var selector = LabelSelector.From(new k8s.Models.V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["app"] = "cilium" },
            MatchExpressions = [new k8s.Models.V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["node"] }],
        });

        Assert.True(selector.Matches(Labels));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["app"] = "cilium" }));
    }
}
