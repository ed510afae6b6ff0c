using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Sluice.Server.Exchange;

namespace Sluice.Server.InProcess;

/// <summary>
/// A front with no socket: an <see cref="HttpMessageHandler"/> that hands each request straight to the server's core,
/// so an <see cref="HttpClient"/> (or an SDK built on one) talks to the server in-process, and a test suite's
/// semantics tests need no port, no connection and no reactor. The request is written as the HTTP/1.1 head a socket
/// client would send — method, the URI's path and query as given, Host, every header — and parsed by the same
/// parser as the HTTP/1.1 front, so signatures verify exactly as they do over the wire. The response is collected
/// whole (file bodies are read through a buffer).
/// </summary>
public sealed class InProcessFront : HttpMessageHandler
{
    private readonly IExchangeHandler _handler;

    public InProcessFront(IExchangeHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri ?? throw new InvalidOperationException("the request has no URI");
        Stream? body = request.Content == null ? null : await request.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var exchange = InProcessExchange.Parse(Head(request, uri), body);
        try
        {
            await _handler.HandleAsync(exchange).ConfigureAwait(false);
        }
        catch (HttpBodyException e) when (!exchange.ResponseStarted)
        {
            await exchange.SendBodyErrorAsync(e).ConfigureAwait(false);
        }
        if (!exchange.ResponseStarted) throw new InvalidOperationException("the handler sent no response");
        if (!exchange.ResponseComplete) throw new InvalidOperationException("the handler sent less body than its head announced");
        var response = new HttpResponseMessage((HttpStatusCode)exchange.Status)
        {
            RequestMessage = request,
            Content = new ByteArrayContent(exchange.Body),
        };
        foreach (var (name, value) in exchange.Headers)
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                response.Content.Headers.ContentLength = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            else if (!response.Headers.TryAddWithoutValidation(name, value))
                response.Content.Headers.TryAddWithoutValidation(name, value);
        }
        return response;
    }

    /// <summary>The head as an HTTP/1.1 client writes it (SocketsHttpHandler: Host from the URI, content headers last).</summary>
    private static byte[] Head(HttpRequestMessage request, Uri uri)
    {
        var head = new StringBuilder(512);
        head.Append(request.Method.Method).Append(' ').Append(uri.PathAndQuery).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(request.Headers.Host ?? (uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}")).Append("\r\n");
        Append(head, request.Headers);
        if (request.Content != null)
        {
            long? length = request.Content.Headers.ContentLength; // computed on first use, as the socket handler does
            Append(head, request.Content.Headers);
            // A body of unknown length goes chunked on the wire; here it arrives unframed from the content's stream.
            if (length is long n) head.Append("Content-Length: ").Append(n.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n");
            else head.Append("Transfer-Encoding: chunked\r\n");
        }
        else if (request.Method == HttpMethod.Put || request.Method == HttpMethod.Post)
        {
            head.Append("Content-Length: 0\r\n");
        }
        head.Append("\r\n");
        return Encoding.Latin1.GetBytes(head.ToString());
    }

    /// <summary>The headers but Host and the framing ones, which <see cref="Head"/> writes itself.</summary>
    private static void Append(StringBuilder head, HttpHeaders headers)
    {
        foreach (var header in headers.NonValidated)
        {
            if (header.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)
                || header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                || header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) continue;
            // One line per name, values joined as SocketsHttpHandler writes them.
            head.Append(header.Key).Append(": ").AppendJoin(", ", header.Value).Append("\r\n");
        }
    }
}
