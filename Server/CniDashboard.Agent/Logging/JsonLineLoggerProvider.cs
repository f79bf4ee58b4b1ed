using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace CniDashboard.Agent.Logging;

/// <summary>
/// The agent's log output: one JSON object per line, with the fields the JSON console formatter
/// wrote (<c>Timestamp</c>, <c>EventId</c>, <c>LogLevel</c>, <c>Category</c>, <c>Message</c>,
/// <c>Exception</c>, <c>State</c>), so shipped logs parse as before. It replaces the console
/// logger because that one costs a queue thread, formatter options and change tokens on every
/// node for a handful of lines a day; this writes each line synchronously under a lock.
/// </summary>
public sealed class JsonLineLoggerProvider : ILoggerProvider
{
    /// <summary>The timestamp format (UTC, with its <c>+00:00</c> offset), the same as the previous console formatter's.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffK";

    private readonly Stream _output;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;
    private bool _disposed;

    /// <summary>Writes to <paramref name="output"/> (the process's standard output in a deployment).</summary>
    public JsonLineLoggerProvider(Stream output, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _time = time ?? TimeProvider.System;
        _writer = new Utf8JsonWriter(_buffer);
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new JsonLineLogger(categoryName, this);

    /// <summary>Formats one record and writes it as one line; a failing output drops the line, never the caller.</summary>
    internal void Write<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        if (string.IsNullOrEmpty(message) && exception is null) return;
        // UTC: nodes log in UTC anyway, and the local zone would cost a tzdata read for nothing.
        var timestamp = _time.GetUtcNow().ToString(TimestampFormat, CultureInfo.InvariantCulture);
        lock (_lock)
        {
            if (_disposed) return;
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            _writer.WriteStartObject();
            _writer.WriteString("Timestamp", timestamp);
            _writer.WriteNumber("EventId", eventId.Id);
            _writer.WriteString("LogLevel", LevelName(level));
            _writer.WriteString("Category", category);
            _writer.WriteString("Message", message);
            if (exception is not null) _writer.WriteString("Exception", exception.ToString());
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                _writer.WriteStartObject("State");
                foreach (var (key, value) in values) WriteValue(key, value);
                _writer.WriteEndObject();
            }
            _writer.WriteEndObject();
            _writer.Flush();
            _buffer.Write("\n"u8);
            try
            {
                _output.Write(_buffer.WrittenSpan);
                _output.Flush();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or NotSupportedException)
            {
                // stdout closed or full-disk redirect: logging must never fail a file write or a request.
            }
        }
    }

    private void WriteValue(string key, object? value)
    {
        switch (value)
        {
            case null:
                _writer.WriteNull(key);
                break;
            case bool flag:
                _writer.WriteBoolean(key, flag);
                break;
            case int or long or short or byte or uint or ulong or ushort or sbyte:
                _writer.WriteNumber(key, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case double or float or decimal:
                _writer.WriteNumber(key, Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            default:
                _writer.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "Trace",
        LogLevel.Debug => "Debug",
        LogLevel.Information => "Information",
        LogLevel.Warning => "Warning",
        LogLevel.Error => "Error",
        LogLevel.Critical => "Critical",
        _ => "None",
    };

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _writer.Dispose();
        }
    }

    private sealed class JsonLineLogger(string category, JsonLineLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            ArgumentNullException.ThrowIfNull(formatter);
            provider.Write(category, logLevel, eventId, state, exception, formatter);
        }
    }
}
