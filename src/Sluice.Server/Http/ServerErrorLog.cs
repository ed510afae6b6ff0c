using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Sluice.Server.Exchange;

namespace Sluice.Server.Http;

/// <summary>
/// Logs one entry per server-side failure — a 5xx answer, or an exception that broke a request (also one found
/// after the response had started, which the client sees only as a closed connection) — so an operator can tell why.
/// Client errors (4xx) and peers that went away are not the server's failures and are not logged. The entry is
/// <see cref="LogLevel.Error"/>, event <see cref="ServerErrorEvent"/>, with fields Status ("---" when the response had
/// already started), Code, Method, Path (never the query: a presigned URL's signature stays out of logs),
/// RequestId and Detail, and the exception. <see cref="TextWriterErrorLogger"/> writes it as the one line
/// `sluice serve` has always written to stderr.
/// </summary>
internal static partial class ServerErrorLog
{
    public static readonly EventId ServerErrorEvent = new(1, "ServerError");
    public static readonly EventId AcceptPausedEvent = new(2, "AcceptPaused");

    public static void Write(ILogger log, S3Exchange x, int? status, string code, string? message, Exception? cause)
    {
        if (!log.IsEnabled(LogLevel.Error)) return;
        var head = x.HeadBytes.Span;
        ServerError(log, cause, status?.ToString(CultureInfo.InvariantCulture) ?? "---", code,
            Encoding.ASCII.GetString(x.Request.MethodName.Of(head)), Encoding.UTF8.GetString(x.Request.Path.Of(head)),
            x.RequestId.ToString("X16", CultureInfo.InvariantCulture), message ?? "");
    }

    [LoggerMessage(EventId = 1, EventName = "ServerError", Level = LogLevel.Error,
        Message = "{Status} {Code} {Method} {Path} (request {RequestId}): {Detail}")]
    private static partial void ServerError(ILogger logger, Exception? exception, string status, string code, string method,
        string path, string requestId, string detail);

    /// <summary>The listener's accept-pressure notes (already whole "sluice: ..." lines).</summary>
    [LoggerMessage(EventId = 2, EventName = "AcceptPaused", Level = LogLevel.Warning, Message = "{Line}")]
    public static partial void AcceptPaused(ILogger logger, string line);
}
