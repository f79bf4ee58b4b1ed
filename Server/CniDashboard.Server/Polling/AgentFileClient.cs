using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CniDashboard.Shared.Agent;

namespace CniDashboard.Server.Polling;

/// <summary>
/// The dashboard's side of the agents' write API (<c>/v1/files/{name}/apply|delete|restore</c>,
/// <c>/v1/backups</c>, <c>/v1/backups/{id}/pin|unpin</c>), over the poller's transport: TLS trusting
/// the agent CA alone, the dashboard's bearer token. Every answer comes back as an
/// <see cref="AgentCall{T}"/>; the remediation engine switches on it.
/// </summary>
public sealed class AgentFileClient(AgentClient agents, AgentTokenSource tokens)
{
    /// <summary>Largest answer read from an agent's write or backup API (a backup list is a few KiB).</summary>
    private const long MaxAnswerBytes = 1024 * 1024;

    /// <summary>Replaces one configuration file (expected-sha256 precondition, backup, change id).</summary>
    /// <param name="podIp">The node's agent pod IP.</param>
    /// <param name="file">The file's name in the CNI folder.</param>
    /// <param name="request">The change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<AgentCall<FileChangeResult>> ApplyAsync(string podIp, string file, ApplyFileRequest request, CancellationToken cancellationToken) =>
        PostAsync(podIp, $"/v1/files/{Uri.EscapeDataString(file)}/apply", request, AgentJsonContext.Wire.ApplyFileRequest, AgentJsonContext.Wire.FileChangeResult, cancellationToken);

    /// <summary>Deletes one file of the folder (expected-sha256 precondition, backup, change id).</summary>
    /// <param name="podIp">The node's agent pod IP.</param>
    /// <param name="file">The file's name in the CNI folder.</param>
    /// <param name="request">The change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<AgentCall<FileChangeResult>> DeleteAsync(string podIp, string file, DeleteFileRequest request, CancellationToken cancellationToken) =>
        PostAsync(podIp, $"/v1/files/{Uri.EscapeDataString(file)}/delete", request, AgentJsonContext.Wire.DeleteFileRequest, AgentJsonContext.Wire.FileChangeResult, cancellationToken);

    /// <summary>Puts a backup back (or recreates a deleted file when <see cref="RestoreFileRequest.ExpectedSha256"/> is null).</summary>
    /// <param name="podIp">The node's agent pod IP.</param>
    /// <param name="file">The file's name in the CNI folder.</param>
    /// <param name="request">The change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<AgentCall<FileChangeResult>> RestoreAsync(string podIp, string file, RestoreFileRequest request, CancellationToken cancellationToken) =>
        PostAsync(podIp, $"/v1/files/{Uri.EscapeDataString(file)}/restore", request, AgentJsonContext.Wire.RestoreFileRequest, AgentJsonContext.Wire.FileChangeResult, cancellationToken);

    /// <summary>The node's backups, newest first, with who pinned them.</summary>
    /// <param name="podIp">The node's agent pod IP.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<AgentCall<IReadOnlyList<BackupInfo>>> ListBackupsAsync(string podIp, CancellationToken cancellationToken) =>
        SendAsync(podIp, HttpMethod.Get, "/v1/backups", content: null, AgentJsonContext.Wire.IReadOnlyListBackupInfo, cancellationToken);

    /// <summary>Pins a backup for <paramref name="owner"/> (a plan's id): it is not pruned until unpinned.</summary>
    /// <param name="podIp">The node's agent pod IP.</param>
    /// <param name="backupId">The backup.</param>
    /// <param name="owner">Who holds it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<AgentCall<BackupInfo>> PinBackupAsync(string podIp, string backupId, string owner, CancellationToken cancellationToken) =>
        PostAsync(podIp, $"/v1/backups/{Uri.EscapeDataString(backupId)}/pin", new PinBackupRequest { Owner = owner }, AgentJsonContext.Wire.PinBackupRequest, AgentJsonContext.Wire.BackupInfo, cancellationToken);

    /// <summary>Removes <paramref name="owner"/>'s pin from a backup (a no-op when it holds none).</summary>
    /// <param name="podIp">The node's agent pod IP.</param>
    /// <param name="backupId">The backup.</param>
    /// <param name="owner">Who lets go of it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<AgentCall<BackupInfo>> UnpinBackupAsync(string podIp, string backupId, string owner, CancellationToken cancellationToken) =>
        PostAsync(podIp, $"/v1/backups/{Uri.EscapeDataString(backupId)}/unpin", new PinBackupRequest { Owner = owner }, AgentJsonContext.Wire.PinBackupRequest, AgentJsonContext.Wire.BackupInfo, cancellationToken);

    private Task<AgentCall<TResult>> PostAsync<TRequest, TResult>(string podIp, string path, TRequest body, JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken) =>
        SendAsync(podIp, HttpMethod.Post, path, JsonContent.Create(body, requestType), resultType, cancellationToken);

    private async Task<AgentCall<T>> SendAsync<T>(string podIp, HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> resultType, CancellationToken cancellationToken)
    {
        using var body = content;
        if (agents.AgentBase(podIp) is not { } agent) return new AgentCall<T>.Unreachable($"pod IP '{podIp}' is not an IP address");
        using var request = new HttpRequestMessage(method, new Uri(agent, path)) { Content = body };
        var token = await tokens.GetAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(agents.RequestTimeout);
        try
        {
            using var response = await agents.SendAsync(request, token, timeout.Token);
            if (response.Content.Headers.ContentLength > MaxAnswerBytes)
                return new AgentCall<T>.Unreachable($"the agent's answer of {response.Content.Headers.ContentLength} bytes exceeds the {MaxAnswerBytes}-byte cap");
            await response.Content.LoadIntoBufferAsync(MaxAnswerBytes, timeout.Token);
            var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return JsonSerializer.Deserialize(bytes, resultType) is { } value
                    ? new AgentCall<T>.Ok(value)
                    : new AgentCall<T>.Unreachable("the agent answered 200 with an empty body");
            }

            var error = ErrorOf(bytes);
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.Conflict && error?.Code == AgentErrorCodes.ShaMismatch)
                return new AgentCall<T>.ShaMismatch(error.CurrentSha256, error.Message);
            return new AgentCall<T>.Refused(status, error?.Code ?? $"http-{status}", error?.Message ?? $"HTTP {status} {response.ReasonPhrase}");
        }
        catch (JsonException ex)
        {
            return new AgentCall<T>.Unreachable($"the agent's answer is not the expected JSON: {ex.Message}");
        }
        catch (Exception ex) when (agents.FailureReason(ex, cancellationToken) is { } reason)
        {
            return new AgentCall<T>.Unreachable(reason);
        }
    }

    private static AgentError? ErrorOf(byte[] body)
    {
        try
        {
            return body.Length == 0 ? null : JsonSerializer.Deserialize(body, AgentJsonContext.Wire.AgentError);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
