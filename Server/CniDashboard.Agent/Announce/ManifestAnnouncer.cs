using Microsoft.Extensions.Logging.Abstractions;

namespace CniDashboard.Agent.Announce;

/// <summary>Timing of <see cref="ManifestAnnouncer"/>.</summary>
public sealed record ManifestAnnouncerOptions
{
    /// <summary>The node announced for (log lines only).</summary>
    public required string NodeName { get; init; }

    /// <summary>How long a change waits for more changes before it is announced (an installer writes several files).</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The first retry's delay after a failed announcement; doubled per failure.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between retries.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// Announces the node's manifest hash whenever it changes (debounced), and at start: on each
/// trigger it asks for the current hash and writes it only when it differs from the last one
/// announced. A failure is logged and retried with doubling backoff (with jitter); nothing here
/// ever waits on the serving path — it runs on timer callbacks, and the hash comes from the same
/// cached snapshot the agent serves.
/// </summary>
public sealed class ManifestAnnouncer : IAsyncDisposable
{
    private readonly ManifestAnnouncerOptions _options;
    private readonly Func<CancellationToken, ValueTask<string>> _currentHash;
    private readonly IAnnouncementWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private TimeSpan _backoff;
    private bool _running;
    private bool _again;
    private Task _run = Task.CompletedTask;
    private string? _announced;
    private long _generation;
    private long _writes;
    private long _failures;

    /// <summary>Creates an idle announcer; <see cref="Start"/> makes the first announcement.</summary>
    public ManifestAnnouncer(ManifestAnnouncerOptions options, Func<CancellationToken, ValueTask<string>> currentHash, IAnnouncementWriter writer, TimeProvider? time = null, ILogger? logger = null)
    {
        _options = options;
        _currentHash = currentHash;
        _writer = writer;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _backoff = options.InitialBackoff;
        _timer = _time.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The hash last written successfully, or null.</summary>
    public string? Announced => Volatile.Read(ref _announced);

    /// <summary>Announcements written successfully.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Announcements that failed (each is retried).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Announces now (at start).</summary>
    public void Start() => Arm(TimeSpan.Zero);

    /// <summary>The folder may have changed: announce after the debounce if the hash differs.</summary>
    public void Changed() => Arm(_options.Debounce);

    /// <summary>
    /// Forgets what was announced and announces again now: the Pod was replaced (a new Pod carries
    /// no annotation), so the same hash must be written again.
    /// </summary>
    public void Reannounce()
    {
        lock (_gate)
        {
            // A run under way may be writing to the old Pod: what it wrote must not count for the new one.
            _generation++;
            Volatile.Write(ref _announced, null);
        }

        Arm(TimeSpan.Zero);
    }

    private void Arm(TimeSpan due)
    {
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested) return;
            // A run in progress looks again when it ends; otherwise (re)start the debounce.
            if (_running) _again = true;
            else _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire()
    {
        lock (_gate)
        {
            if (_running || _stopping.IsCancellationRequested) return;
            _running = true;
            _again = false;
            _run = RunAsync();
        }
    }

    private async Task RunAsync()
    {
        TimeSpan? retry = null;
        long generation;
        lock (_gate) generation = _generation;
        try
        {
            var hash = await _currentHash(_stopping.Token);
            if (hash != Announced)
            {
                await _writer.WriteAsync(hash, _stopping.Token);
                lock (_gate)
                {
                    if (generation == _generation) Volatile.Write(ref _announced, hash);
                }

                Interlocked.Increment(ref _writes);
                AgentLog.Announced(_logger, _options.NodeName, hash);
            }

            _backoff = _options.InitialBackoff;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is AnnouncementException or IOException or UnauthorizedAccessException or TimeoutException)
        {
            Interlocked.Increment(ref _failures);
            retry = Jittered(_backoff);
            AgentLog.AnnouncementFailed(_logger, _options.NodeName, ex.Message, retry.Value.TotalSeconds);
            _backoff = _backoff * 2 > _options.MaxBackoff ? _options.MaxBackoff : _backoff * 2;
        }
        finally
        {
            lock (_gate)
            {
                _running = false;
                if (!_stopping.IsCancellationRequested)
                {
                    // A change during the run is announced after the debounce; a failure waits for its backoff.
                    if (retry is { } delay) _timer.Change(delay, Timeout.InfiniteTimeSpan);
                    else if (_again) _timer.Change(_options.Debounce, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }

    /// <summary>75–100 % of the delay, so a fleet whose API server came back does not retry in step.</summary>
    private static TimeSpan Jittered(TimeSpan delay) => delay * (0.75 + (Random.Shared.NextDouble() * 0.25));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Task run;
        lock (_gate)
        {
            _stopping.Cancel();
            run = _run;
        }

        await _timer.DisposeAsync();
        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _stopping.Dispose();
    }
}
