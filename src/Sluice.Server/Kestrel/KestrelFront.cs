using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Sluice.IO;
using Sluice.S3.Errors;
using Sluice.Server.Exchange;
using Sluice.Server.Http;

namespace Sluice.Server.Kestrel;

/// <summary>
/// The Kestrel front: ASP.NET Core's server (from the shared framework, in a bare host: no routing or middleware) on one
/// endpoint, handing each request to the core as a <see cref="KestrelExchange"/>. It brings what the io_uring front
/// does not speak: HTTP/2, and TLS with ALPN. Every endpoint serves HTTP/1.1 and HTTP/2: with a certificate ALPN
/// chooses; in cleartext the connection's first bytes do (<see cref="PriorKnowledgeDetection"/>: h2c by prior
/// knowledge; there is no Upgrade: h2c).
/// </summary>
internal sealed class KestrelFront : IAsyncDisposable
{
    /// <summary>HTTP/2 receive window per stream (see <see cref="Configure"/>).</summary>
    public const int Http2StreamWindow = 4 * 1024 * 1024;

    /// <summary>HTTP/2 receive window per connection.</summary>
    public const int Http2ConnectionWindow = 16 * 1024 * 1024;

    /// <summary>The largest HTTP/2 frame accepted (SETTINGS_MAX_FRAME_SIZE).</summary>
    public const int Http2MaxFrameSize = 64 * 1024;

    private readonly IHost _host;
    private readonly ConnectionCount _connections;
    private int _stopped;

    private KestrelFront(IHost host, ConnectionCount connections, IPEndPoint local, bool tls)
    {
        _host = host;
        _connections = connections;
        LocalEndPoint = local;
        IsTls = tls;
        Endpoint = new Uri($"{(tls ? "https" : "http")}://{SluiceServer.HostFor(local)}:{local.Port}");
    }

    /// <summary>The bound address (the real port when started on port 0).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The base URL clients use (path-style).</summary>
    public Uri Endpoint { get; }

    public bool IsTls { get; }

    /// <summary>Connections open now (the connections gauge's "kestrel" front).</summary>
    public int ActiveConnections => Volatile.Read(ref _connections.Value);

    /// <summary>What the endpoint speaks, for banners.</summary>
    public string Describe() => IsTls ? "HTTPS: HTTP/1.1 and HTTP/2 by ALPN" : "HTTP/1.1 and HTTP/2 (h2c by prior knowledge)";

    /// <summary>
    /// Starts Kestrel on <paramref name="endPoint"/>: HTTP/1.1 and HTTP/2, over TLS only (ALPN) with
    /// <paramref name="certificate"/>, else cleartext (h2c by prior knowledge).
    /// </summary>
    public static async Task<KestrelFront> StartAsync(IPEndPoint endPoint, IExchangeHandler handler, X509Certificate2? certificate,
        HttpServerOptions front, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(front);
        ListenOptions? listen = null;
        var connections = new ConnectionCount();
        var application = new Application(handler, front);
        // A bare generic host (no configuration sources, no logging providers, no environment variables, no signal
        // handling) is the smallest public way to a Kestrel that can serve TLS: Kestrel's HTTPS wiring lives in its
        // host registrations. The application is one terminal delegate: no routing, no middleware.
        var host = new HostBuilder()
            .ConfigureServices(services => services.AddSingleton<IHostLifetime, OwnerLifetime>())
            .ConfigureWebHost(web => web
                .UseKestrelCore()
                .UseKestrelHttpsConfiguration()
                .ConfigureKestrel(options => Configure(options, endPoint, certificate, front, connections, l => listen = l))
                .Configure(app => app.Run(application.ProcessRequestAsync)),
                web => web.SuppressEnvironmentConfiguration = true)
            .Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        // Kestrel writes the bound address (the real port for port 0) back into the listen options.
        var local = listen?.IPEndPoint ?? throw new InvalidOperationException("Kestrel bound no IP endpoint");
        return new KestrelFront(host, connections, local, certificate != null);
    }

    private static void Configure(KestrelServerOptions options, IPEndPoint endPoint, X509Certificate2? certificate,
        HttpServerOptions front, ConnectionCount connections, Action<ListenOptions> bound)
    {
        options.AddServerHeader = false; // the exchange names the server as the HTTP/1.1 front does
        options.AllowSynchronousIO = false;
        // h2c detected by prior knowledge looks like TLS to Kestrel, which would then refuse :scheme "http". The core
        // never reads the scheme (SigV4 signs the raw target and Host), so the client's :scheme is taken as sent.
        options.AllowAlternateSchemes = true;
        // Header bytes pass through as received (Latin-1 maps each byte to one char and back), so SigV4 verifies user
        // metadata in any encoding, and response values go out as the core wrote them.
        options.RequestHeaderEncodingSelector = _ => Encoding.Latin1;
        options.ResponseHeaderEncodingSelector = _ => Encoding.Latin1;
        var limits = options.Limits;
        // The core enforces S3's sizes (EntityTooLarge from the announced length, as on the HTTP/1.1 front).
        limits.MaxRequestBodySize = null;
        // The rebuilt head must fit the HTTP/1.1 front's parser: one 16 KiB head of at most 100 headers.
        limits.MaxRequestLineSize = front.Limits.MaxHeadBytes;
        limits.MaxRequestHeadersTotalSize = front.Limits.MaxHeadBytes;
        limits.MaxRequestHeaderCount = front.Limits.MaxHeaderCount;
        limits.Http2.MaxRequestHeaderFieldSize = front.Limits.MaxHeadBytes;
        limits.KeepAliveTimeout = front.IdleTimeout;
        limits.RequestHeadersTimeout = front.HeaderTimeout;
        limits.MinRequestBodyDataRate = new MinDataRate(front.MinRequestBodyDataRate, front.MinRequestBodyDataRateGracePeriod);
        // HTTP/2 uploads are paced by the windows Kestrel grants. A stream's window must cover the upload path's
        // bandwidth-delay product or each stream idles a round trip per window: Kestrel's defaults (768 KiB per stream,
        // 1 MiB per connection) cap one upload at ~1 MiB per round trip (~400 Mbit/s at 20 ms) and cost a WINDOW_UPDATE
        // every few hundred KiB. 4 MiB per stream covers 1 Gbit/s × 33 ms or 10 Gbit/s × 3 ms; the connection's 16 MiB
        // lets four such streams run at once on one connection. Memory stays bounded by the connection window: Kestrel
        // credits it back only as the core reads the bodies, so at most 16 MiB of unread upload per connection.
        limits.Http2.InitialStreamWindowSize = Http2StreamWindow;
        limits.Http2.InitialConnectionWindowSize = Http2ConnectionWindow;
        // The largest DATA frame a client may send: 16 KiB (the protocol's default) costs a frame header and a parse per
        // 16 KiB; clients that honour a larger setting send fewer, larger frames. Kestrel holds a whole frame before
        // parsing it, so this is also the per-connection read buffer's floor: 64 KiB keeps that small.
        limits.Http2.MaxFrameSize = Http2MaxFrameSize;
        options.Listen(endPoint, l =>
        {
            bound(l);
            l.Protocols = HttpProtocols.Http1AndHttp2;
            l.Use(next => async connection =>
            {
                Interlocked.Increment(ref connections.Value);
                try
                {
                    await next(connection);
                }
                finally
                {
                    Interlocked.Decrement(ref connections.Value);
                }
            });
            if (certificate != null)
                l.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = certificate, HandshakeTimeout = front.HandshakeTimeout });
            else l.Use(PriorKnowledgeDetection.Middleware(front.HeaderTimeout));
        });
    }

    /// <summary>
    /// Stops accepting, lets requests in flight finish for up to <paramref name="grace"/>, then aborts the rest; returns
    /// once every connection (and the core's work for it) has ended.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        using (var deadline = new CancellationTokenSource(grace))
            await _host.StopAsync(deadline.Token);
        _host.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.Zero);

    /// <summary>A counter the connection middleware and the front share (the front exists only after Kestrel starts).</summary>
    private sealed class ConnectionCount
    {
        public int Value;
    }

    /// <summary>The front's owner (SluiceServer, `sluice serve`) decides when it stops: no console signal handling.</summary>
    private sealed class OwnerLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Kestrel's application: one exchange per request, the core's answer, and the front's errors.</summary>
    private sealed class Application(IExchangeHandler handler, HttpServerOptions front)
    {
        public async Task ProcessRequestAsync(HttpContext context)
        {
            var x = KestrelExchange.Create(context, front.ServerName, out var invalid);
            bool logged = false;
            try
            {
                if (invalid != null)
                {
                    await x.SendFrontErrorAsync(invalid, front.ErrorLogger, logged);
                    handler.OnFrontAnswered(x);
                    return;
                }
                await handler.HandleAsync(x);
                if (!x.ResponseStarted)
                    await x.SendFrontErrorAsync(new S3Error(S3ErrorCode.InternalError, FrontErrors.NoResponse), front.ErrorLogger, logged);
            }
            catch (HttpBodyException e)
            {
                // The client's failure, not the server's: answered while it can be, as the HTTP/1.1 front does.
                if (!x.ResponseStarted) await TrySendAsync(context, x, FrontErrors.Body(e), logged);
                else context.Abort();
            }
            catch (Exception e) when (context.RequestAborted.IsCancellationRequested
                && e is OperationCanceledException or IOException)
            {
                // The client went away: nobody to answer, and not the server's failure.
            }
            catch (Exception e)
            {
                bool started = x.ResponseStarted;
                if (front.ErrorLogger is { } log)
                {
                    string? message = started ? "failed after the response started; the response is aborted" : null;
                    ServerErrorLog.Write(log, x, started ? null : 500, S3ErrorCode.InternalError, message, e);
                    logged = true;
                }
                // Started: the client must not take a cut response for a whole one, so it ends in error (HTTP/1.1 closes
                // the connection, HTTP/2 resets the stream).
                if (started) context.Abort();
                else await TrySendAsync(context, x, FrontErrors.Internal(e), logged);
            }
        }

        private async ValueTask TrySendAsync(HttpContext context, KestrelExchange x, S3Error error, bool logged)
        {
            try
            {
                await x.SendFrontErrorAsync(error, front.ErrorLogger, logged);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or IoException)
            {
                context.Abort(); // the peer is gone
            }
        }
    }
}
