using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Text;
using Sluice.IO;

namespace Sluice.Client.Transport;

/// <summary>
/// HTTP/2 to one host:port through .NET's SocketsHttpHandler, whose connections are opened by this pool on the
/// engine (so the sockets live on its reactors, as the HTTP/1.1 pool's do): h2c with prior knowledge on http://, h2
/// negotiated by ALPN on https://. Each rented <see cref="Http2Exchange"/> is one stream of those connections.
/// </summary>
internal sealed class Http2Pool : IExchangePool
{
    /// <summary>
    /// Each stream's initial receive window, sized by the rule window = bandwidth × round-trip time of the fastest path
    /// a fresh download should fill from its first round trip: 4 MiB covers 1 Gbit/s × 33 ms (a cross-region link) or
    /// 10 Gbit/s × 3 ms (in a region). The handler's default (64 KiB) caps a fresh stream at 64 KiB per round trip
    /// (26 Mbit/s at 20 ms) until its dynamic sizing, which measures the round trip by PING, grows it; it still grows
    /// this one (up to its 16 MiB limit) on longer paths. Memory: a window is a credit, not an allocation — the handler
    /// holds at most one window of unread data per stream, and the client reads every stream as its caller consumes.
    /// </summary>
    public const int StreamWindowSize = 4 * 1024 * 1024;

    /// <summary>
    /// ALPN offers h2 first and http/1.1 too even when only h2 will do: a server without h2 then completes the
    /// handshake choosing http/1.1 and the refusal is a clear Http2Refused, instead of a handshake failure (a
    /// no_application_protocol alert) that reads like a certificate problem.
    /// </summary>
    private static readonly List<SslApplicationProtocol> Offered = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    private readonly S3ClientOptions _options;
    private readonly TlsSettings? _tls;
    private readonly HostEndpoint _endpoint;
    private readonly SocketsHttpHandler _handler;
    private Stream? _adopted;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<BufferedConnectionStream, bool> _live = new();
    private readonly Action<BufferedConnectionStream> _forget;

    public Http2Pool(IoEngine engine, S3ClientOptions options, string host, int port, TlsSettings? tls)
    {
        _options = options;
        _tls = tls;
        _endpoint = new HostEndpoint(engine, options, host, port);
        _forget = t => _live.TryRemove(t, out _);
        string uriHost = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        BaseAddress = $"{(tls is null ? "http" : "https")}://{uriHost}:{port}";
        _handler = new SocketsHttpHandler
        {
            ConnectCallback = ConnectAsync,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            // Several connections when one's MAX_CONCURRENT_STREAMS (Kestrel: 100) is taken, up to the per-host cap.
            EnableMultipleHttp2Connections = true,
            MaxConnectionsPerServer = options.MaxConnectionsPerHost,
            InitialHttp2StreamWindowSize = StreamWindowSize,
            PooledConnectionIdleTimeout = options.IdleTimeout,
            ConnectTimeout = Timeout.InfiniteTimeSpan, // the connect callback applies the client's own timeouts
            // Header values as bytes (Latin-1 is one char per byte both ways): what was signed is what is sent, and
            // response values reach the metadata parser as the server's bytes, as on HTTP/1.1.
            RequestHeaderEncodingSelector = static (_, _) => Encoding.Latin1,
            ResponseHeaderEncodingSelector = static (_, _) => Encoding.Latin1,
        };
        Invoker = new HttpMessageInvoker(_handler, disposeHandler: true);
    }

    /// <summary>scheme://host:port of the requests (the connect host; the signed Host header goes as :authority).</summary>
    public string BaseAddress { get; }

    public HttpMessageInvoker Invoker { get; }

    public S3ClientOptions Options => _options;

    public int ConnectionsOpened => Volatile.Read(ref _endpoint.Opened);

    /// <summary>Responses that arrived over HTTP/2 (the handler's own account of the wire protocol; tests).</summary>
    public int Http2Responses;

    public ValueTask<IHttpExchange> RentAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IHttpExchange>(new Http2Exchange(this));

    public async ValueTask ReturnAsync(IHttpExchange exchange, bool reuse)
    {
        // A stream is never reused: disposing the response resets a stream whose body was not read to its end, and
        // the connection under it stays in the handler's pool (unless ended below).
        var h2 = (Http2Exchange)exchange;
        Task? aborting = h2.Aborting;
        h2.Dispose();
        if (aborting is { IsCompleted: false })
        {
            // The exchange timed out and silent connections were ended: before the retry, let the handler drop them,
            // or it may give the retry's stream to a connection that is going away (a wasted attempt). Bounded.
            try
            {
                await aborting.WaitAsync(_options.ConnectTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>Takes a TLS stream whose ALPN already chose h2 (an <see cref="AutoPool"/> probe) as the next connection.</summary>
    public void Adopt(SslStream stream)
    {
        Stream? previous = Interlocked.Exchange(ref _adopted, stream);
        previous?.Dispose();
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _adopted, null) is { } adopted)
        {
            return adopted;
        }

        Connection connection = await _endpoint.ConnectAsync(cancellationToken).ConfigureAwait(false);
        BufferedConnectionStream transport = Track(connection, priorKnowledge: _tls is null);
        if (_tls is null)
        {
            return transport;
        }

        // The handler takes an SslStream it is given as the TLS layer and reads its ALPN answer; a server that does not
        // choose h2 fails the request (RequestVersionExact) instead of quietly speaking HTTP/1.1.
        SslStream ssl = await _tls.AuthenticateAsync(transport, _endpoint.Host, _endpoint.Port, Offered, _options.ConnectTimeout,
            cancellationToken).ConfigureAwait(false);
        if (ssl.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new S3Exception(S3ClientErrorCodes.Http2Refused, 0,
                $"{_endpoint.Host}:{_endpoint.Port} did not accept HTTP/2 in the TLS handshake (ALPN).", isRetryable: false);
        }

        return ssl;
    }

    /// <summary>A TLS connection offering h2 and http/1.1 by ALPN, for <see cref="AutoPool"/> to see what the server picks.</summary>
    public async ValueTask<(Connection Connection, SslStream Tls)> ProbeAsync(CancellationToken cancellationToken)
    {
        Connection connection = await _endpoint.ConnectAsync(cancellationToken).ConfigureAwait(false);
        // Buffered as the pool's own connections are: the probe's connection may become the HTTP/2 pool's first.
        // (As an HTTP/1.1 one, it reads through SslStream's own buffer into the connection's 64 KiB receive buffer.)
        SslStream ssl = await _tls!.AuthenticateAsync(Track(connection, priorKnowledge: false), _endpoint.Host, _endpoint.Port, Offered, _options.ConnectTimeout,
            cancellationToken).ConfigureAwait(false);
        return (connection, ssl);
    }

    /// <summary>A connection's stream, known to the pool while it is open (for <see cref="AbortSilentConnections"/>).</summary>
    private BufferedConnectionStream Track(Connection connection, bool priorKnowledge)
    {
        var transport = new BufferedConnectionStream(connection, priorKnowledge, _forget);
        _live[transport] = true;
        return transport;
    }

    /// <summary>
    /// After a stream of this pool stalled or got no answer in time: ends every connection that has received nothing
    /// for <paramref name="quiet"/>. The handler would keep giving a dead (or wedged) connection new streams, so the
    /// retry would stall the same way; HTTP/1.1 closes the connection instead. A connection still receiving (other
    /// streams' data, pings) is left alone, and ending an idle one costs only a reconnect.
    /// </summary>
    /// <returns>Completes when the handler has dropped the connections ended (see <see cref="ReturnAsync"/>).</returns>
    public Task AbortSilentConnections(TimeSpan quiet)
    {
        long now = Environment.TickCount64;
        List<Task>? closing = null;
        foreach (BufferedConnectionStream transport in _live.Keys)
        {
            if (now - transport.LastReceive >= (long)quiet.TotalMilliseconds)
            {
                _live.TryRemove(transport, out _);
                Interlocked.Increment(ref ConnectionsAborted);
                transport.Abort();
                (closing ??= []).Add(transport.Closed);
            }
        }

        return closing is null ? Task.CompletedTask : Task.WhenAll(closing);
    }

    /// <summary>Connections ended by <see cref="AbortSilentConnections"/> (tests and diagnostics).</summary>
    public int ConnectionsAborted;

    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _adopted, null)?.Dispose();
        Invoker.Dispose();
        return ValueTask.CompletedTask;
    }
}
