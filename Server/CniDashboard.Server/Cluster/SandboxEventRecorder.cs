using System.Threading.Channels;
using CniDashboard.Server.Analysis;
using CniDashboard.Server.Feed;
using CniDashboard.Server.Fleet;
using CniDashboard.Server.Store;
using CniDashboard.Shared.Dashboard;
using CniDashboard.Shared.Sandbox;
using k8s.Models;

namespace CniDashboard.Server.Cluster;

/// <summary>
/// Takes FailedCreatePodSandBox events from the watch, parses and links them, and stores them in
/// batches (deduplicated by uid; count increases recorded with their time), then tells the UI and
/// re-analyzes the node. The watch never waits for the disk.
/// </summary>
public sealed class SandboxEventRecorder(
    ISandboxEventRepository repository,
    SandboxLinker linker,
    SandboxActivity activity,
    AnalysisScheduler scheduler,
    IChangePublisher feed,
    TimeProvider time,
    ILogger<SandboxEventRecorder> logger) : BackgroundService
{
    private const int MaxBatch = 500;
    private readonly Channel<Corev1Event> _events = Channel.CreateUnbounded<Corev1Event>(new UnboundedChannelOptions { SingleReader = true });
    private long _stored;

    /// <summary>Observations written so far (for tests and metrics).</summary>
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Queues an event seen by the watch.</summary>
    public void Observe(Corev1Event e) => _events.Writer.TryWrite(e);

    /// <summary>Turns an event into an observation; null when it names no node.</summary>
    public SandboxEventObservation? ToObservation(Corev1Event e)
    {
        var node = e.Source?.Host ?? e.ReportingInstance;
        var uid = e.Metadata?.Uid;
        if (string.IsNullOrEmpty(node) || string.IsNullOrEmpty(uid)) return null;
        var message = e.Message ?? "";
        var failure = SandboxErrorParser.Parse(message);
        var (link, snapshotId) = linker.Link(node, failure);
        var created = e.Metadata?.CreationTimestamp;
        var first = e.FirstTimestamp ?? e.EventTime ?? created ?? time.GetUtcNow().UtcDateTime;
        var last = e.LastTimestamp ?? e.Series?.LastObservedTime ?? e.EventTime ?? first;
        return new SandboxEventObservation
        {
            Uid = uid,
            Node = node,
            Namespace = e.InvolvedObject?.NamespaceProperty ?? e.Metadata?.NamespaceProperty,
            Pod = e.InvolvedObject?.Name,
            Message = message,
            Failure = failure,
            Count = e.Count ?? e.Series?.Count ?? 1,
            FirstSeen = AsUtc(first),
            LastSeen = AsUtc(last),
            Link = link,
            LinkedSnapshotId = snapshotId,
        };
    }

    private static DateTimeOffset AsUtc(DateTime value) =>
        new(value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Utc) : value.ToUniversalTime());

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _events.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                var batch = new List<SandboxEventObservation>();
                while (batch.Count < MaxBatch && reader.TryRead(out var e))
                {
                    if (ToObservation(e) is { } o) batch.Add(o);
                    else logger.LogDebug("Sandbox event {Uid} names no node; skipped", e.Metadata?.Uid);
                }

                try
                {
                    await RecordAsync(batch, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Storing {Count} sandbox events failed", batch.Count);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stores observations and announces what they added.</summary>
    public async Task RecordAsync(IReadOnlyList<SandboxEventObservation> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return;
        var now = time.GetUtcNow();
        var changes = await repository.UpsertAsync(batch, now, cancellationToken);
        Interlocked.Add(ref _stored, batch.Count);
        var byUid = batch.GroupBy(o => o.Uid, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var published = new List<ClusterChange>();
        foreach (var change in changes.Where(c => c.Delta > 0))
        {
            var o = byUid[change.Uid];
            activity.Record(new SandboxIncrement(o.Uid, o.Node, o.Failure.PluginType, o.Failure.ErrorClass, o.LastSeen, change.Delta));
            scheduler.Schedule(o.Node);
            published.Add(new ClusterChange
            {
                Kind = ClusterChangeKind.SandboxError,
                At = now,
                Node = o.Node,
                Rule = o.Link?.Rule,
                Summary = $"{o.Failure.PluginType ?? "runtime"}: {o.Failure.ErrorText} (×{change.Delta})",
            });
        }

        feed.Publish(published);
    }
}
