using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Sluice.IO;

namespace Sluice.Client.Transport;

/// <summary>
/// Keep-alive connections to one host:port. Idle connections are reused most-recently-used first (warm TCP windows),
/// and expire after <see cref="S3ClientOptions.IdleTimeout"/>. New connections are opened through the engine, which
/// spreads them over its reactors in turn. A semaphore caps the connections in use.
/// </summary>
internal sealed class HostPool : IAsyncDisposable
{
    private readonly IoEngine _engine;
    private readonly S3ClientOptions _options;
    private readonly TlsSettings? _tls;
    private readonly ConcurrentStack<HttpConnection> _idle = new();
    private readonly SemaphoreSlim _slots;
    private readonly string _host;
    private readonly int _port;
    private EndPoint[]? _addresses;
    private int _next;

    public HostPool(IoEngine engine, S3ClientOptions options, string host, int port, TlsSettings? tls)
    {
        _engine = engine;
        _options = options;
        _host = host;
        _port = port;
        _tls = tls;
        _slots = new SemaphoreSlim(options.MaxConnectionsPerHost, options.MaxConnectionsPerHost);
    }

    /// <summary>Connections opened over the pool's life (tests and diagnostics).</summary>
    public int Opened;

    public async ValueTask<HttpConnection> RentAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long now = Environment.TickCount64;
            long idleLimit = (long)_options.IdleTimeout.TotalMilliseconds;
            while (_idle.TryPop(out HttpConnection? idle))
            {
                if (now - idle.IdleSince < idleLimit)
                {
                    return idle;
                }

                await idle.DisposeAsync().ConfigureAwait(false);
            }

            return await ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>Gives a connection back: pooled when its last response left it clean, closed otherwise.</summary>
    public async ValueTask ReturnAsync(HttpConnection connection, bool reuse)
    {
        try
        {
            if (reuse && connection.Reusable)
            {
                connection.Uses++;
                connection.IdleSince = Environment.TickCount64;
                _idle.Push(connection);
            }
            else
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private async ValueTask<HttpConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        EndPoint[] addresses = _addresses ?? await ResolveAsync(cancellationToken).ConfigureAwait(false);
        EndPoint target = addresses[(int)((uint)Interlocked.Increment(ref _next) % (uint)addresses.Length)];
        Connection connection;
        try
        {
            connection = await _engine.ConnectAsync(target, _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (IoTimeoutException e)
        {
            throw new S3Exception(S3ClientErrorCodes.ConnectTimeout, 0,
                $"Connecting to {_host}:{_port} took longer than {_options.ConnectTimeout.TotalSeconds:0.###} s.",
                isRetryable: true, innerException: e);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            throw new S3Exception(S3ClientErrorCodes.ConnectFailed, 0, $"Cannot connect to {_host}:{_port}: {e.Message}",
                isRetryable: true, innerException: e);
        }

        Interlocked.Increment(ref Opened);
        if (_tls is null)
        {
            return new HttpConnection(connection, null, _options);
        }

        var ssl = new SslStream(connection.AsStream(), leaveInnerStreamOpen: false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ConnectTimeout);
            await ssl.AuthenticateAsClientAsync(_tls.ClientOptions(_host), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            bool timedOut = e is OperationCanceledException;
            throw new S3Exception(timedOut ? S3ClientErrorCodes.ConnectTimeout : S3ClientErrorCodes.TlsFailed, 0,
                $"TLS with {_host}:{_port} failed: {e.Message}", isRetryable: timedOut || e is IOException,
                innerException: e);
        }

        return new HttpConnection(connection, ssl, _options);
    }

    private async ValueTask<EndPoint[]> ResolveAsync(CancellationToken cancellationToken)
    {
        EndPoint[] result;
        if (IPAddress.TryParse(_host.Trim('[', ']'), out IPAddress? ip))
        {
            result = [new IPEndPoint(ip, _port)];
        }
        else if (_host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                 || _host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            // RFC 6761: localhost names are loopback; never ask DNS (virtual-hosted buckets on a local server).
            result = [new IPEndPoint(IPAddress.Loopback, _port)];
        }
        else
        {
            IPAddress[] found;
            try
            {
                found = await Dns.GetHostAddressesAsync(_host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new S3Exception(S3ClientErrorCodes.ConnectFailed, 0, $"Cannot resolve {_host}: {e.Message}",
                    isRetryable: true, innerException: e);
            }

            if (found.Length == 0)
            {
                throw new S3Exception(S3ClientErrorCodes.ConnectFailed, 0, $"{_host} has no addresses.", isRetryable: true);
            }

            result = Array.ConvertAll(found, a => (EndPoint)new IPEndPoint(a, _port));
        }

        _addresses = result;
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryPop(out HttpConnection? c))
        {
            await c.DisposeAsync().ConfigureAwait(false);
        }

        _slots.Dispose();
    }
}
