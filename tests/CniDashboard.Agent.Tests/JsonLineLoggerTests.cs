using System.Text;
using System.Text.Json;
using CniDashboard.Agent.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CniDashboard.Agent.Tests;

public sealed class JsonLineLoggerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 14, 5, 7, 123, TimeSpan.Zero);

    private static (JsonLineLoggerProvider Provider, MemoryStream Output) Create()
    {
        var output = new MemoryStream();
        return (new JsonLineLoggerProvider(output, new FakeTimeProvider(Now)), output);
    }

    private static List<JsonElement> Lines(MemoryStream output)
    {
        var text = Encoding.UTF8.GetString(output.ToArray());
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return text.TrimEnd('\n').Split('\n').Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
    }

    [Fact]
    public void A_write_record_is_one_line_with_the_fields_the_console_formatter_wrote()
    {
        var (provider, output) = Create();
        using (provider)
        {
            var logger = provider.CreateLogger("CniDashboard.Agent.Node.NodeAgent");
            AgentLog.FileWritten(logger, "apply", "05-cilium.conflist", "node-a", "chg-1", "system:serviceaccount:cni-dashboard:cni-dashboard",
                new string('a', 64), new string('b', 64), "chg-1-20261126T140507Z", "remove stale \"linkerd-cni\"\nentry");
        }

        var line = Assert.Single(Lines(output));
        Assert.Equal("2026-11-26T14:05:07.123+00:00", line.GetProperty("Timestamp").GetString());
        Assert.Equal(1, line.GetProperty("EventId").GetInt32());
        Assert.Equal("Information", line.GetProperty("LogLevel").GetString());
        Assert.Equal("CniDashboard.Agent.Node.NodeAgent", line.GetProperty("Category").GetString());
        Assert.StartsWith("apply 05-cilium.conflist on node-a: change chg-1 by system:serviceaccount:cni-dashboard:cni-dashboard", line.GetProperty("Message").GetString(), StringComparison.Ordinal);
        var state = line.GetProperty("State");
        Assert.Equal("chg-1", state.GetProperty("ChangeId").GetString());
        Assert.Equal(new string('b', 64), state.GetProperty("NewSha256").GetString());
        // Quotes and the newline stay inside the JSON string: one record is always one line.
        Assert.Equal("remove stale \"linkerd-cni\"\nentry", state.GetProperty("Reason").GetString());
        Assert.False(line.TryGetProperty("Exception", out _));
    }

    [Fact]
    public void Values_keep_their_json_types_and_exceptions_are_written_whole()
    {
        var (provider, output) = Create();
        using (provider)
        {
            var logger = provider.CreateLogger("test");
            logger.Log(LogLevel.Warning, new EventId(42), new List<KeyValuePair<string, object?>>
            {
                new("Count", 3), new("Big", 5_000_000_000L), new("Ratio", 0.5), new("Ok", true), new("Nothing", null), new("When", TimeSpan.FromSeconds(90)),
            }, new IOException("disk gone"), (_, ex) => "listing failed: " + ex!.Message);
        }

        var line = Assert.Single(Lines(output));
        Assert.Equal("Warning", line.GetProperty("LogLevel").GetString());
        Assert.Equal(42, line.GetProperty("EventId").GetInt32());
        Assert.Equal("listing failed: disk gone", line.GetProperty("Message").GetString());
        Assert.Contains("System.IO.IOException: disk gone", line.GetProperty("Exception").GetString(), StringComparison.Ordinal);
        var state = line.GetProperty("State");
        Assert.Equal(3, state.GetProperty("Count").GetInt32());
        Assert.Equal(5_000_000_000L, state.GetProperty("Big").GetInt64());
        Assert.Equal(0.5, state.GetProperty("Ratio").GetDouble());
        Assert.True(state.GetProperty("Ok").GetBoolean());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("Nothing").ValueKind);
        Assert.Equal("00:01:30", state.GetProperty("When").GetString());
    }

    [Fact]
    public void Lines_from_many_threads_never_interleave()
    {
        var (provider, output) = Create();
        using (provider)
        {
            Parallel.For(0, 8, thread =>
            {
                var logger = provider.CreateLogger("thread-" + thread);
                for (var i = 0; i < 250; i++) AgentLog.SnapshotFailed(logger, $"node-{thread}", $"error {i} " + new string('x', thread * 50));
            });
        }

        var lines = Lines(output);
        Assert.Equal(8 * 250, lines.Count);
        foreach (var thread in Enumerable.Range(0, 8))
        {
            var own = lines.Where(l => l.GetProperty("Category").GetString() == "thread-" + thread).ToList();
            Assert.Equal(250, own.Count);
            Assert.All(own, l => Assert.Equal($"node-{thread}", l.GetProperty("State").GetProperty("Node").GetString()));
        }
    }

    [Fact]
    public void A_broken_output_drops_the_line_and_never_fails_the_caller()
    {
        var broken = new BrokenStream();
        using var provider = new JsonLineLoggerProvider(broken, new FakeTimeProvider(Now));
        var logger = provider.CreateLogger("test");

        AgentLog.WatcherFailed(logger, "node-a", "inotify limit");
        AgentLog.WatcherFailed(logger, "node-a", "inotify limit");

        Assert.Equal(2, broken.Attempts);
    }

    [Fact]
    public void Nothing_is_written_after_dispose_or_for_an_empty_message()
    {
        var (provider, output) = Create();
        var logger = provider.CreateLogger("test");
        logger.Log(LogLevel.Information, default, "state", null, (_, _) => "");
        provider.Dispose();
        AgentLog.WatcherFailed(logger, "node-a", "late");

        Assert.Equal(0, output.Length);
        Assert.False(logger.IsEnabled(LogLevel.None));
        Assert.True(logger.IsEnabled(LogLevel.Trace));
    }

    private sealed class BrokenStream : Stream
    {
        public int Attempts { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Attempts++;
            throw new IOException("broken pipe");
        }
    }
}
