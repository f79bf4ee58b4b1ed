using System.Collections.Concurrent;
using System.Text;

namespace CniDashboard.E2E.Tests.Support;

/// <summary>One log entry as the capture keeps it: where it came from and everything it carried, as text.</summary>
/// <param name="Category">The logger's category.</param>
/// <param name="Level">The level.</param>
/// <param name="Text">The message, the exception with its stack, the scopes and the structured values.</param>
public sealed record CapturedLog(string Category, LogLevel Level, string Text);

/// <summary>
/// Every log entry a host writes, of every category and every level, beside the host's own providers
/// (it never replaces them), kept for a test to scan after a run. The one place the demo run's logs
/// are captured: point it at another host by calling <see cref="AddTo"/> on that host's logging builder.
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    /// <summary>Entries kept at most; later ones are counted in <see cref="Dropped"/>.</summary>
    public const int MaxEntries = 2_000_000;

    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private int _count;
    private long _dropped;
    private IExternalScopeProvider? _scopes;

    /// <summary>What was captured so far.</summary>
    public IReadOnlyCollection<CapturedLog> Entries => _entries;

    /// <summary>Entries not kept because <see cref="MaxEntries"/> was reached.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Adds the capture to a host's logging, for every category at every level (its own rule, whatever the host's levels say).</summary>
    public void AddTo(ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.AddProvider(this);
        logging.AddFilter<LogCapture>(null, LogLevel.Trace);
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new CaptureLogger(this, categoryName);

    /// <inheritdoc />
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Add(CapturedLog entry)
    {
        if (Interlocked.Increment(ref _count) > MaxEntries)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        _entries.Enqueue(entry);
    }

    private sealed class CaptureLogger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => capture._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                // Structured values a message template does not show still reach structured sinks.
                foreach (var (key, value) in values) text.Append(" | ").Append(key).Append('=').Append(value);
            }

            if (exception is not null) text.Append(" | ").Append(exception);
            capture._scopes?.ForEachScope((scope, sb) => sb.Append(" | scope ").Append(scope), text);
            capture.Add(new CapturedLog(category, logLevel, text.ToString()));
        }
    }
}
