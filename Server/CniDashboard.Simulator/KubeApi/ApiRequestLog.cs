namespace CniDashboard.Simulator.KubeApi;

/// <summary>One request the emulated API server answered, as a test asserts on it.</summary>
/// <param name="At">When it finished (a watch: when its stream ended).</param>
/// <param name="User">The authenticated username; null when authentication failed or was not needed (<c>/version</c>, <c>/healthz</c>).</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Verb">The Kubernetes verb (<c>get</c>, <c>list</c>, <c>watch</c>, <c>create</c>, <c>update</c>, <c>patch</c>, <c>delete</c>); null when the request never got that far.</param>
/// <param name="Path">The path, e.g. <c>/api/v1/nodes/node-a</c>.</param>
/// <param name="Query">The query string (with its <c>?</c>), or empty.</param>
/// <param name="StatusCode">The HTTP status answered.</param>
/// <param name="AuditId">The request's <c>Audit-ID</c> header, or null when it had none.</param>
/// <param name="UserAgent">The request's <c>User-Agent</c> header, or null.</param>
public sealed record ApiRequest(
    DateTimeOffset At,
    string? User,
    string Method,
    string? Verb,
    string Path,
    string Query,
    int StatusCode,
    string? AuditId,
    string? UserAgent);

/// <summary>
/// The last requests the emulator answered, in process and bounded (<see cref="KubeApiEmulatorOptions.RequestLogCapacity"/>):
/// who called, what, and with which <c>Audit-ID</c> and User-Agent — so a test can assert that the
/// dashboard's calls for a person carry the audit entry's id and name the dashboard and the plan.
/// </summary>
public sealed class ApiRequestLog
{
    private readonly ApiRequest?[] _ring;
    private readonly Lock _gate = new();
    private long _total;

    internal ApiRequestLog(int capacity) => _ring = new ApiRequest?[capacity];

    /// <summary>Most requests kept; older ones are dropped first.</summary>
    public int Capacity => _ring.Length;

    /// <summary>Requests recorded since start (or the last <see cref="Clear"/>), including those dropped since.</summary>
    public long Total
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    /// <summary>The requests kept, oldest first.</summary>
    public IReadOnlyList<ApiRequest> Snapshot()
    {
        lock (_gate)
        {
            var kept = (int)Math.Min(_total, _ring.Length);
            var result = new ApiRequest[kept];
            for (var i = 0; i < kept; i++)
            {
                result[i] = _ring[(_total - kept + i) % _ring.Length]!;
            }

            return result;
        }
    }

    /// <summary>The requests kept that match, oldest first.</summary>
    public IReadOnlyList<ApiRequest> Where(Func<ApiRequest, bool> predicate) => [.. Snapshot().Where(predicate)];

    /// <summary>Forgets every request recorded so far.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            Array.Clear(_ring);
            _total = 0;
        }
    }

    internal void Add(ApiRequest request)
    {
        lock (_gate)
        {
            _ring[_total % _ring.Length] = request;
            _total++;
        }
    }
}
