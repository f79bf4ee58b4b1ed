using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Server.Feed;

/// <summary>
/// What one replica tells the others through PostgreSQL <c>NOTIFY</c> after a write committed: the
/// changes it published (followers re-read what they touch from the store), the time of a fetch, or a
/// request to re-read everything. Each payload stays under PostgreSQL's 8,000-byte limit.
/// </summary>
public sealed record StoreChangeMessage
{
    /// <summary>The channel every replica listens on.</summary>
    public const string Channel = "cni_dashboard_changes";

    /// <summary>Largest payload sent (PostgreSQL refuses 8,000 bytes and more).</summary>
    public const int MaxPayloadBytes = 7_600;

    /// <summary>Longest summary carried; the store holds the full text.</summary>
    public const int MaxSummaryChars = 400;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The sending process (a random id per start, so a replica skips its own messages).</summary>
    public required string From { get; init; }

    /// <summary>
    /// The cluster whose rows the sender wrote (<c>Dashboard:Cluster:Id</c>): collectors of every
    /// cluster share the store and the channel, so a receiver re-reads only its own cluster's nodes
    /// and relays another cluster's changes marked with it. Null from a sender older than clusters
    /// (read as the receiver's own cluster, as before).
    /// </summary>
    public string? Cluster { get; init; }

    /// <summary>Changes published, each already in the store.</summary>
    public IReadOnlyList<ClusterChange> Changes { get; init; } = [];

    /// <summary>When the sender last fetched agents, when this message says so.</summary>
    public DateTimeOffset? FetchedAt { get; init; }

    /// <summary>True when receivers should re-read everything (a new leader, which may have written while nobody was told).</summary>
    public bool Resync { get; init; }

    /// <summary>The message as a payload.</summary>
    public string ToPayload() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a payload; null when it is not one of these.</summary>
    public static StoreChangeMessage? Parse(string payload)
    {
        try
        {
            return JsonSerializer.Deserialize<StoreChangeMessage>(payload, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Splits <paramref name="changes"/> of <paramref name="cluster"/> into messages whose payloads each stay under
    /// <see cref="MaxPayloadBytes"/> (long summaries are cut to <see cref="MaxSummaryChars"/>).
    /// </summary>
    public static IEnumerable<string> Payloads(string from, string cluster, IReadOnlyList<ClusterChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var envelope = Encoding.UTF8.GetByteCount(new StoreChangeMessage { From = from, Cluster = cluster }.ToPayload()) + 16;
        var batch = new List<ClusterChange>();
        var size = envelope;
        foreach (var change in changes)
        {
            var c = change.Summary is { Length: > MaxSummaryChars } s ? change with { Summary = s[..MaxSummaryChars] + "…" } : change;
            var bytes = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(c, Json)) + 1;
            if (batch.Count > 0 && size + bytes > MaxPayloadBytes)
            {
                yield return new StoreChangeMessage { From = from, Cluster = cluster, Changes = batch }.ToPayload();
                batch = [];
                size = envelope;
            }

            batch.Add(c);
            size += bytes;
        }

        if (batch.Count > 0) yield return new StoreChangeMessage { From = from, Cluster = cluster, Changes = batch }.ToPayload();
    }
}
