using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Authentication;

namespace Sluice.IO;

/// <summary>
/// A <see cref="Connection"/> that speaks TLS over another one (an SslStream over <see cref="Connection.AsStream"/>),
/// so code written against connections serves TLS without branching: receives decrypt, sends encrypt, and the
/// continuations stay on the inner connection's reactor (<see cref="Connection.ResumeOnOwner"/>). File transfers
/// (<see cref="IoEngine.SendFileAsync(Files.IoFile, long, long, Connection, CancellationToken)"/>) refuse it: splice would
/// send the file's bytes in clear (kernel TLS is not used). Failures follow the connection contract: the TLS
/// layer's own errors (a corrupt record, a peer that breaks the protocol) are <see cref="IoException"/> with
/// ECONNABORTED, i.e. the peer went away, not a failure of this side.
/// </summary>
public sealed class TlsConnection : Connection
{
    /// <summary>
    /// The largest TLS record payload: a gathered send (a response head and its body) that fits goes out as one
    /// record, and one socket write, instead of two.
    /// </summary>
    private const int RecordPayload = 16 * 1024;

    /// <summary>A send of more than a record collects its records up to this size per socket send.</summary>
    private const int BatchSize = 256 * 1024;

    private readonly Connection _inner;
    private readonly ConnectionStream _transport;
    private readonly SslStream _ssl;
    private byte[]? _gather; // rented at the first gathered send, returned at dispose
    private bool _disposed;

    private TlsConnection(Connection inner, ConnectionStream transport, SslStream ssl)
    {
        _inner = inner;
        _transport = transport;
        _ssl = ssl;
    }

    /// <summary>
    /// Runs the server side of the handshake on <paramref name="inner"/>. On failure (the peer is not speaking TLS,
    /// offered nothing acceptable, went away, or <paramref name="cancellationToken"/> fired: the handshake deadline)
    /// it throws and <paramref name="inner"/> is left to its owner, undisposed. On success the returned connection
    /// owns <paramref name="inner"/>: disposing it disposes both.
    /// </summary>
    public static async ValueTask<TlsConnection> AuthenticateAsServerAsync(Connection inner,
        SslServerAuthenticationOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        // leaveInnerStreamOpen: a failed handshake leaves the socket to the caller, who owns and closes it.
        var transport = new ConnectionStream(inner);
        var ssl = new SslStream(transport, leaveInnerStreamOpen: true);
        try
        {
            await ssl.AuthenticateAsServerAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new TlsConnection(inner, transport, ssl);
    }

    /// <summary>The negotiated protocol version (TLS 1.2 or 1.3).</summary>
    public SslProtocols Protocol => _ssl.SslProtocol;

    /// <summary>The protocol agreed by ALPN (empty when the client offered none).</summary>
    public SslApplicationProtocol ApplicationProtocol => _ssl.NegotiatedApplicationProtocol;

    public override EndPoint? RemoteEndPoint => _inner.RemoteEndPoint;
    public override EndPoint? LocalEndPoint => _inner.LocalEndPoint;

    internal override Uring.UringReactor? Owner => _inner.Owner;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _ssl.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsProtocolFailure(e))
        {
            throw Broken("recv", e);
        }
    }

    /// <summary>
    /// Encrypts and sends. A send of more than one record has its records collected and sent in batches (a
    /// socket send per <see cref="BatchSize"/> bytes instead of one per chunk SslStream encrypts); only the caller's sends batch,
    /// never the handshake's or close_notify, whose peer waits for each flight.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        byte[]? batch = buffer.Length > RecordPayload ? ArrayPool<byte>.Shared.Rent(BatchSize) : null;
        bool written = false;
        try
        {
            if (batch != null) _transport.BeginBatch(batch);
            await _ssl.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            written = true;
        }
        catch (Exception e) when (IsProtocolFailure(e))
        {
            throw Broken("send", e);
        }
        finally
        {
            if (batch != null)
            {
                try { await _transport.EndBatchAsync(written, cancellationToken).ConfigureAwait(false); }
                finally { ArrayPool<byte>.Shared.Return(batch); }
            }
        }
    }

    /// <summary>
    /// Head and body: SslStream encrypts and writes each call by itself, so the head is copied in front of the body's
    /// first bytes to fill one record (a small response is then one record and one socket write); the rest follows.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask SendAsync(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken = default)
    {
        if (head.Length >= RecordPayload)
        {
            await SendAsync(head, cancellationToken).ConfigureAwait(false);
            await SendAsync(body, cancellationToken).ConfigureAwait(false);
            return;
        }
        _gather ??= ArrayPool<byte>.Shared.Rent(RecordPayload);
        int first = Math.Min(body.Length, RecordPayload - head.Length);
        head.Span.CopyTo(_gather);
        body.Span[..first].CopyTo(_gather.AsSpan(head.Length));
        await SendAsync(_gather.AsMemory(0, head.Length + first), cancellationToken).ConfigureAwait(false);
        if (first < body.Length) await SendAsync(body[first..], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends close_notify, then half-closes the socket: the peer reads a clean end of stream.</summary>
    public override async ValueTask ShutdownSendAsync()
    {
        try
        {
            await _ssl.ShutdownAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (IsProtocolFailure(e))
        {
            throw Broken("shutdown", e);
        }
        await _inner.ShutdownSendAsync().ConfigureAwait(false);
    }

    public override void Abort() => _inner.Abort();

    /// <summary>
    /// Closes without close_notify: a graceful end already sent it (<see cref="ShutdownSendAsync"/>), and a send now
    /// could wait on a peer that no longer reads.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _ssl.DisposeAsync().ConfigureAwait(false);
        await _inner.DisposeAsync().ConfigureAwait(false);
        if (_gather != null) ArrayPool<byte>.Shared.Return(_gather);
        _gather = null;
    }

    // The inner connection's failures are IoExceptions already (SslStream passes IOExceptions through); what is left
    // is SslStream's own: a record that does not decrypt, an unexpected message, a renegotiation it refuses.
    private static bool IsProtocolFailure(Exception e) =>
        e is (IOException and not IoException) or AuthenticationException;

    private static IoException Broken(string operation, Exception e) =>
        new(operation, Native.Errno.ECONNABORTED, $"{operation} failed: TLS: {e.Message}", e);
}
