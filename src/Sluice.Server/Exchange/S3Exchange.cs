using System.Buffers;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Sluice.IO;
using Sluice.S3.Errors;
using Sluice.S3.Http;

namespace Sluice.Server.Exchange;

/// <summary>
/// One S3 request and its response, as every front presents it to the core (router, authenticator, handlers): the
/// request head parsed over its raw bytes (SigV4 signs those), the body as an async reader, and a response of status,
/// headers and a body that is bytes, streamed bytes or file segments. Handlers never see a connection or a reactor;
/// how bytes move (splice on io_uring, a copy elsewhere) is the front's business. A front may reuse one exchange for
/// the requests of a connection, one after another.
/// </summary>
public abstract class S3Exchange
{
    /// <summary>Copy buffer for file bodies on fronts that cannot send a file region directly.</summary>
    private const int FileCopyBufferSize = 256 * 1024;

    /// <summary>The parsed request head; its slices index into <see cref="HeadBytes"/>.</summary>
    public abstract S3RequestHead Request { get; }

    /// <summary>The request head's bytes as received (valid until this request's response is sent).</summary>
    public abstract ReadOnlyMemory<byte> HeadBytes { get; }

    /// <summary>A per-request id, sent as x-amz-request-id.</summary>
    public abstract ulong RequestId { get; }

    /// <summary>True once the response head has gone (or been handed) to the front: it can no longer change.</summary>
    public abstract bool ResponseStarted { get; }

    /// <summary>True when every body byte has been read (or there was no body).</summary>
    public abstract bool BodyCompleted { get; }

    /// <summary>The response's status once <see cref="SetStatus"/> was called (0 before): the access log and metrics read it.</summary>
    public abstract int ResponseStatus { get; }

    /// <summary>
    /// The body length the response head announced (its Content-Length; -1 before the head went): the bytes sent the
    /// access log and metrics count (none for HEAD and 304, which announce what they do not send).
    /// </summary>
    public abstract long ResponseContentLength { get; }

    /// <summary>
    /// Request body bytes the core read through <see cref="ReadBodyAsync"/> for this request (transfer framing removed,
    /// aws-chunked framing counted). The core resets and counts it, so every front gets the same accounting.
    /// </summary>
    internal long BodyBytesRead { get; set; }

    /// <summary>
    /// State a handler keeps with the exchange (its route and payload reader), reused for the next request the front
    /// serves through this exchange. The front never reads it.
    /// </summary>
    public object? HandlerState { get; set; }

    /// <summary>
    /// Headers the core adds to every response of the current request (a matched CORS rule's, error answers included);
    /// null: none. Each front's <see cref="SetStatus"/> writes them after the headers every response carries
    /// (<see cref="AddScopedHeaders"/>); the core clears it when the request ends.
    /// </summary>
    internal IScopedResponseHeaders? ScopedHeaders { get; set; }

    /// <summary>Writes <see cref="ScopedHeaders"/>; fronts call it at the end of <see cref="SetStatus"/>.</summary>
    protected void AddScopedHeaders() => ScopedHeaders?.AddTo(this);

    /// <summary>
    /// Reads body bytes into <paramref name="destination"/>; returns 0 once the body is complete. A client that stops
    /// early, malformed framing or a stalled body throws <see cref="HttpBodyException"/>.
    /// </summary>
    public abstract ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>Starts the response with its status and the headers every response carries.</summary>
    public abstract void SetStatus(int statusCode);

    public abstract void AddHeader(KnownHeader header, ReadOnlySpan<byte> value);

    public abstract void AddHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value);

    public abstract void AddHeader(KnownHeader header, long value);

    /// <summary>Sends the response with a whole body (its length announced here).</summary>
    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends the head, announcing <paramref name="contentLength"/> body bytes that follow through
    /// <see cref="WriteBodyAsync"/>. For HEAD (and 304) nothing follows.
    /// </summary>
    public abstract ValueTask SendHeadAsync(long contentLength, CancellationToken cancellationToken = default);

    /// <summary>Sends body bytes after <see cref="SendHeadAsync"/>, in order, until the announced length is reached.</summary>
    public abstract ValueTask WriteBodyAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends the response with body bytes [position, position + count) of <paramref name="body"/>. This default reads
    /// the files through a buffer; a front that can move file bytes itself (splice) overrides it.
    /// </summary>
    public virtual async ValueTask SendAsync(IFileBody body, long position, long count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        CheckRange(body, position, count);
        await SendHeadAsync(count, cancellationToken).ConfigureAwait(false);
        if (count == 0) return;
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(count, FileCopyBufferSize));
        try
        {
            while (count > 0)
            {
                var segment = body.SegmentAt(position);
                int want = (int)Math.Min(Math.Min(segment.Length, count), buffer.Length);
                int n = await segment.File.ReadAsync(buffer.AsMemory(0, want), segment.Offset, cancellationToken).ConfigureAwait(false);
                if (n <= 0) throw new IoException("read", 0, $"{segment.File.Path} ended {count} bytes before the body did");
                await WriteBodyAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                position += n;
                count -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Continues on the thread that serves this request after work elsewhere (hashing on the thread pool), so the
    /// front's next operations are submitted from its own thread. Fronts without such a thread complete at once.
    /// </summary>
    public virtual OwnerAwaitable ResumeOnOwner() => default;

    /// <summary>The client's address (a policy's aws:SourceIp); null when the front does not know it. Read only when a
    /// bucket policy asks, so a front may compute it.</summary>
    public virtual System.Net.IPAddress? RemoteAddress => null;

    /// <summary>True when the request came over TLS (a policy's aws:SecureTransport).</summary>
    public virtual bool IsSecure => false;

    /// <summary>Sends an S3 XML error; a HEAD request gets the status and headers only (HEAD has no body).</summary>
    public ValueTask SendErrorAsync(S3Error error, ReadOnlySpan<byte> contentRange = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        error.RequestId ??= RequestId.ToString("X16", CultureInfo.InvariantCulture);
        var body = new ArrayBufferWriter<byte>(512); // error path: allocation is fine here
        error.WriteTo(body);
        SetStatus(error.HttpStatus);
        AddHeader(KnownHeader.ContentType, "application/xml"u8);
        if (!contentRange.IsEmpty) AddHeader(KnownHeader.ContentRange, contentRange);
        if (Request.Method == KnownMethod.Head) return SendHeadAsync(0);
        return SendAsync(body.WrittenMemory);
    }

    /// <summary>
    /// An S3 XML error a front answers itself (framing, timeouts, failures); a 5xx one goes to the error log unless the
    /// failure that caused it is already there (<paramref name="alreadyLogged"/>).
    /// </summary>
    internal ValueTask SendFrontErrorAsync(S3Error error, ILogger? log, bool alreadyLogged)
    {
        if (error.HttpStatus >= 500 && !alreadyLogged && log != null)
            Http.ServerErrorLog.Write(log, this, error.HttpStatus, error.Code, error.Message, null);
        return SendErrorAsync(error);
    }

    protected static void CheckRange(IFileBody body, long position, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (position > body.Length - count)
            throw new ArgumentOutOfRangeException(nameof(count), $"bytes [{position}, {position + count}) lie beyond the {body.Length}-byte body");
    }
}
