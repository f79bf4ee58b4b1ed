using System.Text.Json;
using CniDashboard.Shared.Sandbox;

namespace CniDashboard.Shared.Tests.Sandbox;

public class SandboxErrorParserTests
{
    private static readonly string[] ReferenceLines = Fixture.Text("events/messages.txt")
        .Split('\n')
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .ToArray();

    public static TheoryData<int, string?, string?, string?, SandboxOperation?, SandboxErrorClass, string> Expected => new()
    {
        { 0, "41b3c75a4675a1d9b923e011ae1d4ba1c11792ffe67bbcf73d443bfbeb58111b", "linkerd-cni", "linkerd-cni", SandboxOperation.Add, SandboxErrorClass.Unauthorized, "Unauthorized" },
        { 1, "9f2d6c0b1a3e5d7f9b1c3e5a7d9f1b3c5e7a9c1e3a5c7e9b1d3f5a7c9e1b3d5f", "linkerd-cni", "linkerd-cni", SandboxOperation.Add, SandboxErrorClass.BinaryExit, "exit status 127" },
        { 2, "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9", "linkerd-cni", "linkerd-cni", SandboxOperation.Add, SandboxErrorClass.Forbidden, "Forbidden" },
        { 3, "5e4d3c2b1a09f8e7d6c5b4a392817065f4e3d2c1b0a9f8e7d6c5b4a392817065", "linkerd-cni", null, SandboxOperation.Add, SandboxErrorClass.PluginNotFound, "failed to find plugin \"linkerd-cni\" in path [/opt/cni/bin]" },
        { 4, "7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6", "cilium-cni", null, SandboxOperation.Add, SandboxErrorClass.DaemonUnreachable, "unable to connect to Cilium daemon: failed to create cilium agent client after 30.000000 seconds timeout: Get \"http:///var/run/cilium/cilium.sock/v1/config\": dial unix /var/run/cilium/cilium.sock: connect: no such file or directory" },
        { 5, "c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc", "aws-cni", "aws-cni", SandboxOperation.Add, SandboxErrorClass.Ipam, "add cmd: failed to assign an IP address to container" },
        { 6, "aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44", "istio-cni", "istio-cni", SandboxOperation.Add, SandboxErrorClass.IncompatibleVersion, "incompatible CNI versions; config is \"1.1.0\", plugin supports [\"0.1.0\" \"0.2.0\" \"0.3.0\" \"0.3.1\" \"0.4.0\" \"1.0.0\"]" },
        { 7, "bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55", "linkerd-cni", "linkerd-cni", SandboxOperation.Add, SandboxErrorClass.BinaryExit, "exec: \"nsenter\": executable file not found in $PATH" },
        { 8, null, null, null, null, SandboxErrorClass.Other, "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to create containerd task: failed to create shim task: context deadline exceeded: unknown" },
        { 9, "3c1f...", "linkerd-cni", "linkerd-cni", SandboxOperation.Add, SandboxErrorClass.Unauthorized, "Unauthorized" },
        { 10, null, null, null, null, SandboxErrorClass.NetworkNotReady, "Network plugin returns error: cni plugin not initialized" },
    };

    [Fact]
    public void Every_reference_line_is_covered()
    {
        Assert.Equal(11, ReferenceLines.Length);
        Assert.Equal(ReferenceLines.Length, Expected.Count);
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public void Reference_messages_parse(int line, string? sandboxId, string? type, string? name, SandboxOperation? op, SandboxErrorClass errorClass, string errorText)
    {
        var failure = SandboxErrorParser.Parse(ReferenceLines[line]);

        Assert.Equal(sandboxId, failure.SandboxId);
        Assert.Equal(type, failure.PluginType);
        Assert.Equal(name, failure.PluginName);
        Assert.Equal(op, failure.Operation);
        Assert.Equal(errorClass, failure.ErrorClass);
        Assert.Equal(errorText, failure.ErrorText);
    }

    [Fact]
    public void Dockershim_form_names_the_pod()
    {
        var failure = SandboxErrorParser.Parse(ReferenceLines[9]);

        Assert.Equal("web-7d9f8b6c5d-x2x4q", failure.PodName);
        Assert.Null(SandboxErrorParser.Parse(ReferenceLines[0]).PodName);
    }

    [Fact]
    public void Reference_event_message_is_the_incident()
    {
        using var doc = JsonDocument.Parse(Fixture.Text("events/failed-create-pod-sandbox.json"));
        var message = doc.RootElement.GetProperty("message").GetString();

        var failure = SandboxErrorParser.Parse(message);

        Assert.Equal(("linkerd-cni", SandboxErrorClass.Unauthorized, SandboxOperation.Add), (failure.PluginType, failure.ErrorClass, failure.Operation!.Value));
    }

    [Theory]
    [InlineData("failed to destroy network for sandbox \"abc\": plugin type=\"cilium-cni\" failed (delete): unable to connect to Cilium daemon", SandboxOperation.Del, SandboxErrorClass.DaemonUnreachable)]
    [InlineData("plugin type=\"bridge\" name=\"n\" failed (del): exit status 1", SandboxOperation.Del, SandboxErrorClass.BinaryExit)]
    [InlineData("plugin type=\"bridge\" failed (check): signal: killed", SandboxOperation.Check, SandboxErrorClass.BinaryExit)]
    [InlineData("failed to setup network for sandbox \"abc\": plugin type=\"istio-cni\" name=\"istio-cni\" failed (ADD): pods \"x\" is forbidden: User cannot get resource", SandboxOperation.Add, SandboxErrorClass.Forbidden)]
    [InlineData("failed to setup network for sandbox \"abc\": plugin type=\"aws-cni\" name=\"aws-cni\" failed (add): add cmd: Error received from AddNetwork gRPC call: rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing: dial tcp 127.0.0.1:50051: connect: connection refused\"", SandboxOperation.Add, SandboxErrorClass.DaemonUnreachable)]
    [InlineData("failed to setup network for sandbox \"abc\": plugin type=\"host-local\" failed (add): failed to allocate for range 0: no IP addresses available in range set", SandboxOperation.Add, SandboxErrorClass.Ipam)]
    public void Other_operations_and_classes(string message, SandboxOperation op, SandboxErrorClass errorClass)
    {
        var failure = SandboxErrorParser.Parse(message);

        Assert.Equal(op, failure.Operation);
        Assert.Equal(errorClass, failure.ErrorClass);
    }

    [Fact]
    public void Failure_without_a_plugin_clause_keeps_the_text_after_the_sandbox()
    {
        var failure = SandboxErrorParser.Parse("Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"abc\": cni plugin not initialized");

        Assert.Equal("abc", failure.SandboxId);
        Assert.Equal("cni plugin not initialized", failure.ErrorText);
        Assert.Equal(SandboxErrorClass.NetworkNotReady, failure.ErrorClass);
        Assert.Equal(SandboxOperation.Add, failure.Operation);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("plugin type=\"unterminated")]
    [InlineData("sandbox \"\"")]
    [InlineData("\u0000\uFFFD\uD800 nonsense ✓")]
    [InlineData("Back-off restarting failed container")]
    public void Unknown_or_odd_input_is_other_with_the_text_kept(string? message)
    {
        var failure = SandboxErrorParser.Parse(message);

        Assert.Equal(SandboxErrorClass.Other, failure.ErrorClass);
        Assert.Equal(message ?? "", failure.ErrorText);
        Assert.Null(failure.PluginType);
    }

    [Fact]
    public void Huge_message_is_parsed_from_its_head_and_kept_whole()
    {
        var message = ReferenceLines[0] + " " + new string('x', 1_000_000);

        var failure = SandboxErrorParser.Parse(message);

        Assert.Equal("linkerd-cni", failure.PluginType);
        Assert.Equal(SandboxErrorClass.Unauthorized, failure.ErrorClass);
        Assert.StartsWith("Unauthorized", failure.ErrorText, StringComparison.Ordinal);
        Assert.EndsWith("xxx", failure.ErrorText, StringComparison.Ordinal);
        Assert.Equal(message.Length - message.IndexOf("Unauthorized", StringComparison.Ordinal), failure.ErrorText.Length);
    }

    [Fact]
    public void Huge_unrecognised_message_keeps_all_of_its_text()
    {
        var message = new string('y', SandboxErrorParser.MaxScannedLength * 3);

        Assert.Equal(message, SandboxErrorParser.Parse(message).ErrorText);
    }
}
