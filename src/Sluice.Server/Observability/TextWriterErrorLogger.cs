using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Sluice.Server.Http;

namespace Sluice.Server.Observability;

/// <summary>
/// A minimal <see cref="ILogger"/> over a <see cref="TextWriter"/> (<see cref="SluiceServerOptions.ErrorLog"/>): it
/// writes each server error as the one line the error log has always had — time, "sluice:", status, code, method,
/// path, request id, detail and cause — and other entries (warnings and up) as their message. Lines are written under
/// a lock on the writer, so a reader may lock it too.
/// </summary>
internal sealed class TextWriterErrorLogger(TextWriter writer) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel)) return;
        string line = eventId.Id == ServerErrorLog.ServerErrorEvent.Id && state is IReadOnlyList<KeyValuePair<string, object?>> fields
            ? ErrorLine(fields, exception)
            : formatter(state, exception);
        lock (writer) writer.WriteLine(line);
    }

    /// <summary>"2026-01-02T03:04:05.678Z sluice: 500 InternalError GET /b/k (request 0000…): detail — IOException: … at frame".</summary>
    private static string ErrorLine(IReadOnlyList<KeyValuePair<string, object?>> fields, Exception? cause)
    {
        string Field(string name)
        {
            foreach (var (key, value) in fields)
                if (key.Equals(name, StringComparison.OrdinalIgnoreCase)) return value?.ToString() ?? "";
            return "";
        }
        var line = new StringBuilder(256);
        line.Append(DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
            .Append(" sluice: ").Append(Field("Status")).Append(' ').Append(Field("Code"))
            .Append(' ').Append(Field("Method")).Append(' ').Append(Field("Path"))
            .Append(" (request ").Append(Field("RequestId")).Append(')');
        string detail = Field("Detail");
        if (detail.Length > 0) line.Append(": ").Append(detail);
        if (cause != null)
        {
            line.Append(" — ").Append(cause.GetType().Name).Append(": ").Append(cause.Message);
            string? frame = cause.StackTrace?.Split('\n', 2)[0].Trim();
            if (!string.IsNullOrEmpty(frame)) line.Append(' ').Append(frame);
        }
        return line.Replace('\r', ' ').Replace('\n', ' ').ToString();
    }
}

/// <summary>Logs to two loggers (a caller's <see cref="ILoggerFactory"/> and the <see cref="SluiceServerOptions.ErrorLog"/> writer).</summary>
internal sealed class TeeLogger(ILogger first, ILogger second) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => first.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => first.IsEnabled(logLevel) || second.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (first.IsEnabled(logLevel)) first.Log(logLevel, eventId, state, exception, formatter);
        if (second.IsEnabled(logLevel)) second.Log(logLevel, eventId, state, exception, formatter);
    }
}
