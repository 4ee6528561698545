using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DeepImpression.Serving.Tests.Support;

/// <summary>One log event as the server wrote it: the formatted line and its named fields.</summary>
internal sealed record LogEvent(LogLevel Level, string Category, string Message, IReadOnlyDictionary<string, object?> Fields, Exception? Exception);

/// <summary>Keeps every log event of a server, so that tests can read what an operator would.</summary>
internal sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => _events.ToArray();

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _events);

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<LogEvent> events) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value)
                : new Dictionary<string, object?>();
            events.Enqueue(new LogEvent(logLevel, category, formatter(state, exception), fields, exception));
        }
    }
}
