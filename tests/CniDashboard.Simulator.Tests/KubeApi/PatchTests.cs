using System.Net;
using System.Text.Json.Nodes;
using CniDashboard.Simulator.KubeApi;
using CniDashboard.Simulator.KubeApi.Patching;

namespace CniDashboard.Simulator.Tests.KubeApi;

public sealed class PatchTests
{
    [Fact]
    public void Merge_patch_merges_objects_replaces_arrays_and_removes_nulls()
    {
        var target = JsonNode.Parse("""{"a":{"b":1,"c":2},"list":[1,2],"gone":true}""");

        var result = MergePatch.Apply(target, JsonNode.Parse("""{"a":{"c":3,"d":4},"list":[9],"gone":null}"""));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a":{"b":1,"c":3,"d":4},"list":[9]}"""), result));
    }

    [Fact]
    public void Json_patch_adds_removes_replaces_moves_and_copies()
    {
        var document = JsonNode.Parse("""{"spec":{"taints":[{"key":"a"}]},"metadata":{"labels":{"x/y":"1"}}}""")!;

        var result = JsonPatch.Apply(document, JsonNode.Parse("""
            [
              {"op":"add","path":"/spec/taints/-","value":{"key":"b"}},
              {"op":"add","path":"/spec/taints/0","value":{"key":"first"}},
              {"op":"remove","path":"/spec/taints/1"},
              {"op":"replace","path":"/metadata/labels/x~1y","value":"2"},
              {"op":"copy","from":"/metadata/labels/x~1y","path":"/metadata/labels/copied"},
              {"op":"move","from":"/metadata/labels/copied","path":"/spec/moved"},
              {"op":"test","path":"/spec/moved","value":"2"}
            ]
            """));

        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"spec":{"taints":[{"key":"first"},{"key":"b"}],"moved":"2"},"metadata":{"labels":{"x/y":"2"}}}"""),
            result));
    }

    [Fact]
    public void A_failed_json_patch_test_or_a_missing_path_is_unprocessable()
    {
        var document = JsonNode.Parse("""{"spec":{"unschedulable":true}}""")!;

        var failedTest = Assert.Throws<KubeApiException>(() => JsonPatch.Apply(document.DeepClone(), JsonNode.Parse("""[{"op":"test","path":"/spec/unschedulable","value":false}]""")));
        var missing = Assert.Throws<KubeApiException>(() => JsonPatch.Apply(document.DeepClone(), JsonNode.Parse("""[{"op":"remove","path":"/spec/taints/0"}]""")));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, failedTest.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
    }

    [Theory]
    [InlineData("application/merge-patch+json", PatchKind.Merge)]
    [InlineData("application/strategic-merge-patch+json; charset=utf-8", PatchKind.StrategicMerge)]
    [InlineData("application/json-patch+json", PatchKind.Json)]
    public void The_patch_kind_comes_from_the_content_type(string contentType, PatchKind kind) =>
        Assert.Equal(kind, PatchKinds.FromContentType(contentType));

    [Fact]
    public void Apply_patches_are_unsupported_media()
    {
        var error = Assert.Throws<KubeApiException>(() => PatchKinds.FromContentType("application/apply-patch+yaml"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, error.StatusCode);
    }
}
