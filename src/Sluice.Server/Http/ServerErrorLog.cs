using System.Globalization;
using System.Text;
using Sluice.Server.Exchange;

namespace Sluice.Server.Http;

/// <summary>
/// Writes one line per server-side failure — a 5xx answer, or an exception that broke a request (also one found
/// after the response had started, which the client sees only as a closed connection) — so an operator can tell why.
/// Client errors (4xx) and peers that went away are not the server's failures and are not written. The line holds
/// the time, request id, method and path (never the query: a presigned URL's signature stays out of logs), status,
/// code and cause (status "---" when the response had already started).
/// </summary>
internal static class ServerErrorLog
{
    public static void Write(TextWriter log, S3Exchange x, int? status, string code, string? message, Exception? cause)
    {
        var head = x.HeadBytes.Span;
        var line = new StringBuilder(256);
        line.Append(DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
            .Append(" sluice: ").Append(status?.ToString(CultureInfo.InvariantCulture) ?? "---").Append(' ').Append(code)
            .Append(' ').Append(Encoding.ASCII.GetString(x.Request.MethodName.Of(head)))
            .Append(' ').Append(Encoding.UTF8.GetString(x.Request.Path.Of(head)))
            .Append(" (request ").Append(x.RequestId.ToString("X16", CultureInfo.InvariantCulture)).Append(')');
        if (!string.IsNullOrEmpty(message)) line.Append(": ").Append(message);
        if (cause != null)
        {
            line.Append(" — ").Append(cause.GetType().Name).Append(": ").Append(cause.Message);
            string? frame = cause.StackTrace?.Split('\n', 2)[0].Trim();
            if (!string.IsNullOrEmpty(frame)) line.Append(' ').Append(frame);
        }
        line.Replace('\r', ' ').Replace('\n', ' ');
        lock (log) log.WriteLine(line.ToString());
    }
}
