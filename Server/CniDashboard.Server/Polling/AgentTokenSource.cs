using CniDashboard.Server.Options;
using Microsoft.Extensions.Options;

namespace CniDashboard.Server.Polling;

/// <summary>
/// The bearer token the dashboard shows agents: its projected ServiceAccount token, read from a
/// file the kubelet rotates, so it is re-read whenever the file changes. The token is never logged.
/// </summary>
public sealed class AgentTokenSource(IOptions<DashboardOptions> options, ILogger<AgentTokenSource> logger)
{
    private readonly string _path = options.Value.Poller.AgentTokenFile;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTime Modified, long Length)? _stamp;
    private string? _token;
    private bool _warned;

    /// <summary>The current token, or null when the file is missing or empty (agents then answer 401).</summary>
    public async Task<string?> GetAsync(CancellationToken cancellationToken)
    {
        var info = new FileInfo(_path);
        if (!info.Exists)
        {
            if (!_warned)
            {
                logger.LogWarning("Agent token file {Path} does not exist; agents will be polled without a token and answer 401", _path);
                _warned = true;
            }

            return null;
        }

        var stamp = (info.LastWriteTimeUtc, info.Length);
        if (_stamp == stamp) return _token;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_stamp == stamp) return _token;
            var text = (await File.ReadAllTextAsync(_path, cancellationToken)).Trim();
            _token = text.Length == 0 ? null : text;
            _stamp = stamp;
            _warned = false;
            logger.LogInformation("Agent token read from {Path} ({State})", _path, _token is null ? "empty" : "present");
            return _token;
        }
        catch (IOException ex)
        {
            logger.LogWarning("Agent token file {Path} could not be read: {Error}", _path, ex.Message);
            return _token;
        }
        finally
        {
            _gate.Release();
        }
    }
}
