using System.Text.Json;
using System.Text.Json.Serialization;
using CniDashboard.Shared.Agent;

namespace CniDashboard.Agent.Node;

/// <summary>A backup's metadata file (<c>&lt;id&gt;.json</c> beside <c>&lt;id&gt;.bak</c>).</summary>
internal sealed record BackupRecord
{
    public required string Id { get; init; }
    public required string ChangeId { get; init; }
    public required string File { get; init; }
    public required string Sha256 { get; init; }
    public long Size { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public string? Mode { get; init; }

    /// <summary>What the change that made this backup was about to write; lets a retry after a crash recognise its own write.</summary>
    public string? NewSha256 { get; init; }
    public string? Operation { get; init; }
    public string? Reason { get; init; }

    /// <summary>Who holds the backup (plan ids); a pinned backup is never pruned.</summary>
    public IReadOnlyList<string>? Pins { get; init; }

    public bool IsPinned => Pins is { Count: > 0 };

    public BackupInfo ToInfo() => new()
    {
        Id = Id,
        ChangeId = ChangeId,
        File = File,
        Sha256 = Sha256,
        Size = Size,
        CreatedAt = CreatedAt,
        Operation = Operation,
        NewSha256 = Operation == "delete" ? null : NewSha256,
        PinnedBy = Pins ?? [],
    };
}

/// <summary>One completed change in the journal (<c>changes.jsonl</c>).</summary>
internal sealed record ChangeRecord
{
    public required string ChangeId { get; init; }

    /// <summary>Hash of what was asked (operation, file, expected hash, content or backup), to tell a retry from a reused id.</summary>
    public required string RequestHash { get; init; }
    public required FileChangeResult Result { get; init; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BackupRecord))]
[JsonSerializable(typeof(ChangeRecord))]
internal sealed partial class AgentStateJsonContext : JsonSerializerContext;
