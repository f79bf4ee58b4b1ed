using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CniDashboard.Shared.Audit;

namespace CniDashboard.Server.Audit;

/// <summary>What an export carries besides its entries: when, which filter, and the signed checkpoint with its key.</summary>
/// <param name="ExportedAt">When.</param>
/// <param name="Filter">The filters applied (query-string names and values).</param>
/// <param name="Checkpoint">The checkpoint read from the cluster as the export began.</param>
/// <param name="KeyId">The id of the key checkpoints are signed with.</param>
/// <param name="PublicKeyPem">That key's public half.</param>
public sealed record AuditExportHeader(
    DateTimeOffset ExportedAt,
    IReadOnlyDictionary<string, string?> Filter,
    CheckpointReading Checkpoint,
    string KeyId,
    string PublicKeyPem);

/// <summary>
/// Writes entries as CSV or JSON while they are read, flushing every <see cref="FlushEvery"/> entries:
/// nothing is buffered beyond that, so an export of any size keeps memory flat and reaches the client
/// in chunks. Both formats start with the checkpoint and its public key, so the file can be checked
/// against the chain it came from.
/// </summary>
public static class AuditExporter
{
    /// <summary>The export format's name and version.</summary>
    public const string Format = "cni-dashboard.audit-export.v1";

    /// <summary>Entries written between flushes.</summary>
    public const int FlushEvery = 256;

    private static readonly string[] CsvColumns =
    [
        "sequence", "time", "actor_subject", "actor_name", "actor_roles", "actor_method", "action", "target_kind", "target_name",
        "outcome", "details", "client_address", "request_id", "prev_hash", "hash",
    ];

    /// <summary>
    /// CSV (RFC 4180, UTF-8, CRLF) after <c>#</c> comment lines carrying the export's facts and the
    /// checkpoint's JSON. A cell a spreadsheet would run as a formula (<c>= + - @</c>) is prefixed with
    /// <c>'</c>; the JSON export keeps every value exactly as stored.
    /// </summary>
    public static async Task<long> WriteCsvAsync(Stream output, IAsyncEnumerable<AuditEntry> entries, AuditExportHeader header, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(header);
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), bufferSize: 16 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await writer.WriteLineAsync($"# {Format}, exported at {Iso(header.ExportedAt)}");
        var filter = string.Join("&", header.Filter.Where(f => f.Value is not null).Select(f => $"{f.Key}={Uri.EscapeDataString(f.Value!)}"));
        await writer.WriteLineAsync($"# filter: {(filter.Length == 0 ? "none" : filter)}");
        await writer.WriteLineAsync(header.Checkpoint.Checkpoint is { } checkpoint
            ? $"# checkpoint: {checkpoint.ToJson()}"
            : $"# checkpoint: none ({header.Checkpoint.Error ?? header.Checkpoint.Malformed ?? "not written yet"})");
        await writer.WriteLineAsync($"# checkpoint-source: {header.Checkpoint.Source}");
        await writer.WriteLineAsync($"# checkpoint-public-key: {header.KeyId} {PemBody(header.PublicKeyPem)}");
        await writer.WriteLineAsync(string.Join(',', CsvColumns));

        long count = 0;
        var row = new StringBuilder(512);
        await foreach (var e in entries.WithCancellation(cancellationToken))
        {
            row.Clear();
            Cell(row, e.Sequence.ToString(CultureInfo.InvariantCulture), first: true);
            Cell(row, Iso(e.At));
            Cell(row, e.ActorSubject);
            Cell(row, e.ActorName);
            Cell(row, e.ActorRoles);
            Cell(row, e.ActorMethod);
            Cell(row, e.Action);
            Cell(row, e.TargetKind);
            Cell(row, e.TargetName);
            Cell(row, e.Outcome);
            Cell(row, e.Details);
            Cell(row, e.ClientAddress);
            Cell(row, e.RequestId);
            Cell(row, e.PrevHash);
            Cell(row, e.Hash);
            await writer.WriteLineAsync(row, cancellationToken);
            if (++count % FlushEvery == 0) await writer.FlushAsync(cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
        return count;
    }

    /// <summary>
    /// One JSON object: <c>format</c>, <c>exportedAt</c>, <c>filter</c>, <c>checkpoint</c> (the signed
    /// checkpoint as kept in the cluster, or null with <c>checkpointError</c>), <c>checkpointSource</c>,
    /// <c>keyId</c>, <c>publicKey</c> (PEM), then <c>entries</c>, oldest first, each with every stored
    /// field (<c>details</c> and <c>actor.roles</c> as JSON).
    /// </summary>
    public static async Task<long> WriteJsonAsync(Stream output, IAsyncEnumerable<AuditEntry> entries, AuditExportHeader header, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(header);
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteString("exportedAt", Iso(header.ExportedAt));
        json.WriteStartObject("filter");
        foreach (var (key, value) in header.Filter.Where(f => f.Value is not null)) json.WriteString(key, value);
        json.WriteEndObject();
        json.WritePropertyName("checkpoint");
        if (header.Checkpoint.Checkpoint is { } checkpoint) json.WriteRawValue(checkpoint.ToJson());
        else json.WriteNullValue();
        if (header.Checkpoint.Checkpoint is null) json.WriteString("checkpointError", header.Checkpoint.Error ?? header.Checkpoint.Malformed ?? "not written yet");
        json.WriteString("checkpointSource", header.Checkpoint.Source);
        json.WriteString("keyId", header.KeyId);
        json.WriteString("publicKey", header.PublicKeyPem);
        json.WriteStartArray("entries");

        long count = 0;
        await foreach (var e in entries.WithCancellation(cancellationToken))
        {
            json.WriteStartObject();
            json.WriteNumber("sequence", e.Sequence);
            json.WriteString("time", Iso(e.At));
            json.WriteNumber("timeMs", e.At.ToUnixTimeMilliseconds());
            json.WriteStartObject("actor");
            json.WriteString("subject", e.ActorSubject);
            json.WriteString("name", e.ActorName);
            WriteJson(json, "roles", e.ActorRoles);
            json.WriteString("method", e.ActorMethod);
            json.WriteEndObject();
            json.WriteString("action", e.Action);
            json.WriteString("targetKind", e.TargetKind);
            json.WriteString("targetName", e.TargetName);
            json.WriteString("outcome", e.Outcome);
            WriteJson(json, "details", e.Details);
            json.WriteString("clientAddress", e.ClientAddress);
            json.WriteString("requestId", e.RequestId);
            json.WriteString("prevHash", e.PrevHash);
            json.WriteString("hash", e.Hash);
            json.WriteEndObject();
            if (++count % FlushEvery == 0) await json.FlushAsync(cancellationToken);
        }

        json.WriteEndArray();
        json.WriteNumber("entryCount", count);
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
        return count;
    }

    /// <summary>Stored JSON embedded as JSON; a value that is not JSON (a damaged row) as a string, so the export still completes.</summary>
    private static void WriteJson(Utf8JsonWriter json, string name, string? stored)
    {
        json.WritePropertyName(name);
        if (stored is null)
        {
            json.WriteNullValue();
            return;
        }

        try
        {
            json.WriteRawValue(stored, skipInputValidation: false);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            json.WriteStringValue(stored);
        }
    }

    private static void Cell(StringBuilder row, string? value, bool first = false)
    {
        if (!first) row.Append(',');
        if (string.IsNullOrEmpty(value)) return;
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            row.Append(value);
            return;
        }

        row.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static string PemBody(string pem) => string.Concat(pem.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal)).Select(l => l.Trim()));
}
