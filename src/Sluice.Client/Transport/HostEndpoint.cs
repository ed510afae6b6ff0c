using System.Net;
using System.Net.Sockets;
using Sluice.IO;

namespace Sluice.Client.Transport;

/// <summary>
/// One host:port as the pools connect to it: its addresses (resolved once; localhost names never ask DNS) taken in
/// turn, connections opened through the engine (so they live on its reactors), failures as retryable S3Exceptions.
/// </summary>
internal sealed class HostEndpoint
{
    private readonly IoEngine _engine;
    private readonly S3ClientOptions _options;
    private EndPoint[]? _addresses;
    private int _next;

    public HostEndpoint(IoEngine engine, S3ClientOptions options, string host, int port)
    {
        _engine = engine;
        _options = options;
        Host = host;
        Port = port;
    }

    public string Host { get; }

    public int Port { get; }

    /// <summary>Connections opened over the endpoint's life.</summary>
    public int Opened;

    public async ValueTask<Connection> ConnectAsync(CancellationToken cancellationToken)
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
                $"Connecting to {Host}:{Port} took longer than {_options.ConnectTimeout.TotalSeconds:0.###} s.",
                isRetryable: true, innerException: e);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            throw new S3Exception(S3ClientErrorCodes.ConnectFailed, 0, $"Cannot connect to {Host}:{Port}: {e.Message}",
                isRetryable: true, innerException: e);
        }

        Interlocked.Increment(ref Opened);
        return connection;
    }

    private async ValueTask<EndPoint[]> ResolveAsync(CancellationToken cancellationToken)
    {
        EndPoint[] result;
        if (IPAddress.TryParse(Host.Trim('[', ']'), out IPAddress? ip))
        {
            result = [new IPEndPoint(ip, Port)];
        }
        else if (Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                 || Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            // RFC 6761: localhost names are loopback; never ask DNS (virtual-hosted buckets on a local server).
            result = [new IPEndPoint(IPAddress.Loopback, Port)];
        }
        else
        {
            IPAddress[] found;
            try
            {
                found = await Dns.GetHostAddressesAsync(Host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new S3Exception(S3ClientErrorCodes.ConnectFailed, 0, $"Cannot resolve {Host}: {e.Message}",
                    isRetryable: true, innerException: e);
            }

            if (found.Length == 0)
            {
                throw new S3Exception(S3ClientErrorCodes.ConnectFailed, 0, $"{Host} has no addresses.", isRetryable: true);
            }

            result = Array.ConvertAll(found, a => (EndPoint)new IPEndPoint(a, Port));
        }

        _addresses = result;
        return result;
    }
}
