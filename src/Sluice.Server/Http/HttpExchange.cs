using System.Buffers;
using System.Globalization;
using Sluice.IO;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.Server.Exchange;

namespace Sluice.Server.Http;

/// <summary>
/// The HTTP/1.1 front's exchange: one request and its response on a connection. The request head is parsed in place in the connection's receive
/// buffer (its fields are offsets into <see cref="HeadBytes"/>); the body is read through <see cref="ReadBodyAsync"/>
/// (Content-Length or chunked, transfer-decoded); the response head is built into a reused buffer and sent with the
/// body in one gathered write; file bodies go out by the engine's zero-copy send (splice on io_uring), the head in
/// the same segments as the first body bytes — except over TLS, where they are copied through a buffer into the TLS
/// layer (S3Exchange's copy). Reused for every request of the connection: nothing here allocates per request.
/// </summary>
internal sealed class HttpExchange : S3Exchange
{
    /// <summary>Room for a status line and the headers S3 responses carry, user metadata included.</summary>
    private const int ResponseHeadCapacity = 16 * 1024;

    private static readonly byte[] ContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray();

    private readonly HttpServerConnection _owner;
    private readonly S3RequestHead _request;
    private readonly byte[] _responseHead = new byte[ResponseHeadCapacity];
    private int _responseHeadLength;
    private int _status;
    private long _bodyRemaining;        // Content-Length framing: bytes still to read
    private ChunkedDecoder _chunked;
    private int _pendingDataOffset, _pendingDataLength; // decoded chunk data not yet handed out
    private bool _continueSent;
    private bool _holdHead;             // TLS file body: the head waits to go out with the first body bytes

    internal HttpExchange(HttpServerConnection owner)
    {
        _owner = owner;
        _request = new S3RequestHead(owner.Options.Limits);
    }

    public override S3RequestHead Request => _request;

    /// <summary>The request head's bytes (valid until the next request on the connection).</summary>
    public override ReadOnlyMemory<byte> HeadBytes => _owner.Buffer.AsMemory(HeadOffset, Request.HeadLength);

    internal int HeadOffset { get; private set; }

    public override ulong RequestId => _requestId;
    private ulong _requestId;

    /// <summary>This request's failure is already in the error log (with its exception): its 5xx answer adds no line.</summary>
    internal bool FailureLogged { get; set; }

    public override bool ResponseStarted => _responseStarted;
    private bool _responseStarted;

    /// <summary>Set to close the connection after this response (the front also closes on framing errors).</summary>
    internal bool CloseAfterResponse { get; set; }

    public override int ResponseStatus => _status;

    public override long ResponseContentLength => _contentLength;
    private long _contentLength = -1;

    public override bool BodyCompleted => Request.IsChunked ? _chunked.IsCompleted && _pendingDataLength == 0 : _bodyRemaining == 0;

    internal void Begin(int headOffset, ulong requestId)
    {
        HeadOffset = headOffset;
        _requestId = requestId;
        FailureLogged = false;
        _responseStarted = false;
        CloseAfterResponse = false;
        _responseHeadLength = 0;
        _status = 0;
        _contentLength = -1;
        _continueSent = false;
        _holdHead = false;
        _pendingDataLength = 0;
        _bodyRemaining = Request.IsChunked ? 0 : Math.Max(0, Request.ContentLength);
        _chunked = new ChunkedDecoder();
    }

    // ---------------------------------------------------------------- request body

    /// <summary>
    /// Reads body bytes into <paramref name="destination"/>; returns 0 once the body is complete. With Content-Length
    /// framing, bytes not already buffered are received straight into the destination (no copy). A client that
    /// stops early, a malformed chunk or a stalled receive throws <see cref="HttpBodyException"/>.
    /// </summary>
    public override async ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty) return 0;
        if (Request.ExpectsContinue && !_continueSent && !ResponseStarted)
        {
            _continueSent = true;
            await _owner.Connection.SendAsync(ContinueResponse, cancellationToken);
        }
        return Request.IsChunked ? await ReadChunkedAsync(destination, cancellationToken)
            : await ReadContentLengthAsync(destination, cancellationToken);
    }

    private async ValueTask<int> ReadContentLengthAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_bodyRemaining == 0) return 0;
        int want = (int)Math.Min(destination.Length, _bodyRemaining);
        int buffered = _owner.BufferedCount;
        if (buffered > 0)
        {
            int n = Math.Min(want, buffered);
            _owner.Buffer.AsSpan(_owner.BufferedStart, n).CopyTo(destination.Span);
            _owner.Consume(n);
            _bodyRemaining -= n;
            return n;
        }
        int got = await _owner.ReceiveBodyAsync(destination[..want], cancellationToken);
        if (got == 0)
            throw new HttpBodyException(S3ErrorCode.IncompleteBody,
                $"the client closed the connection with {_bodyRemaining} body bytes still to come");
        _bodyRemaining -= got;
        return got;
    }

    private async ValueTask<int> ReadChunkedAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_pendingDataLength > 0)
            {
                int n = Math.Min(_pendingDataLength, destination.Length);
                _owner.Buffer.AsSpan(_pendingDataOffset, n).CopyTo(destination.Span);
                _pendingDataOffset += n;
                _pendingDataLength -= n;
                if (_pendingDataLength == 0) _owner.ConsumeTo(_pendingDataOffset);
                return n;
            }
            if (_chunked.IsCompleted) return 0;
            var input = _owner.Buffer.AsSpan(_owner.BufferedStart, _owner.BufferedCount);
            var status = _chunked.Decode(input, out int consumed, out ChunkEvent evt);
            if (status == OperationStatus.InvalidData)
                throw new HttpBodyException(S3ErrorCode.InvalidRequest, $"malformed chunked body ({_chunked.Error})");
            if (status == OperationStatus.NeedMoreData)
            {
                if (await _owner.ReceiveMoreAsync(cancellationToken) == 0)
                    throw new HttpBodyException(S3ErrorCode.IncompleteBody, "the client closed the connection mid-body");
                continue;
            }
            if (evt.Kind == ChunkEventKind.Data)
            {
                // The data is a slice of the receive buffer: hand it out from there, consuming the framing around it.
                _pendingDataOffset = _owner.BufferedStart + (consumed - evt.Data.Length);
                _pendingDataLength = evt.Data.Length;
                _owner.Consume(consumed - evt.Data.Length);
                continue;
            }
            _owner.Consume(consumed);
        }
    }

    /// <summary>Reads and discards the rest of the body, up to <paramref name="limit"/> bytes; false if more remained.</summary>
    internal async ValueTask<bool> TryDrainBodyAsync(long limit, CancellationToken cancellationToken)
    {
        var scratch = _owner.DrainBuffer;
        long drained = 0;
        while (!BodyCompleted)
        {
            if (drained > limit) return false;
            int n = await ReadBodyAsync(scratch, cancellationToken);
            if (n == 0) break;
            drained += n;
        }
        return true;
    }

    // ---------------------------------------------------------------- response

    /// <summary>Starts the response head with its status line and the headers every response carries.</summary>
    public override void SetStatus(int statusCode)
    {
        if (ResponseStarted) throw new InvalidOperationException("the response was already sent");
        _status = statusCode;
        var w = new HttpHeadWriter(_responseHead);
        bool ok = w.TryWriteStatusLine(statusCode)
            && w.TryWriteHeader(KnownHeader.Date, DateTimeOffset.UtcNow)
            && w.TryWriteHeader("Server"u8, _owner.ServerNameUtf8);
        Span<char> id = stackalloc char[16];
        Span<byte> idBytes = stackalloc byte[16];
        RequestId.TryFormat(id, out _, "X16", CultureInfo.InvariantCulture);
        for (int i = 0; i < 16; i++) idBytes[i] = (byte)id[i];
        ok = ok && w.TryWriteHeader(KnownHeader.XAmzRequestId, idBytes);
        if (!ok) throw new InvalidOperationException($"response head: {w.Error}");
        _responseHeadLength = w.BytesWritten;
        AddScopedHeaders();
    }

    public override void AddHeader(KnownHeader header, ReadOnlySpan<byte> value) => Add(header, default, value, null);

    public override void AddHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => Add(KnownHeader.Unknown, name, value, null);

    public override void AddHeader(KnownHeader header, long value) => Add(header, default, default, value);

    private void Add(KnownHeader header, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, long? number)
    {
        if (_status == 0) throw new InvalidOperationException("SetStatus first");
        var w = new HttpHeadWriter(_responseHead.AsSpan(_responseHeadLength));
        bool ok = number is long n ? w.TryWriteHeader(header, n)
            : header == KnownHeader.Unknown ? w.TryWriteHeader(name, value) : w.TryWriteHeader(header, value);
        if (!ok) throw new InvalidOperationException($"response header rejected: {w.Error}");
        _responseHeadLength += w.BytesWritten;
    }

    /// <summary>Sends the response with a whole body (Content-Length set here) in one gathered write.</summary>
    public override ValueTask SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        FinishHead(body.Length);
        return body.IsEmpty
            ? _owner.Connection.SendAsync(_responseHead.AsMemory(0, _responseHeadLength), cancellationToken)
            : _owner.Connection.SendAsync(_responseHead.AsMemory(0, _responseHeadLength), body, cancellationToken);
    }

    public override ValueTask SendHeadAsync(long contentLength, CancellationToken cancellationToken = default)
    {
        FinishHead(contentLength);
        if (_holdHead && contentLength > 0) return ValueTask.CompletedTask; // sent with the first body bytes
        _holdHead = false;
        return _owner.Connection.SendAsync(_responseHead.AsMemory(0, _responseHeadLength), cancellationToken);
    }

    public override ValueTask WriteBodyAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default)
    {
        if (!ResponseStarted) throw new InvalidOperationException("SendHeadAsync first");
        if (_holdHead)
        {
            _holdHead = false;
            return _owner.Connection.SendAsync(_responseHead.AsMemory(0, _responseHeadLength), chunk, cancellationToken);
        }
        return _owner.Connection.SendAsync(chunk, cancellationToken);
    }

    /// <summary>
    /// Sends the head and the file bytes with the engine's zero-copy send (splice on io_uring: the bytes never enter
    /// user space), the head in the same segments as the first body bytes, each file region by its own send. Over
    /// TLS the bytes are copied instead.
    /// </summary>
    public override ValueTask SendAsync(IFileBody body, long position, long count, CancellationToken cancellationToken = default)
    {
        if (_owner.IsTls)
        {
            // The bytes must pass through the TLS layer to be encrypted, so splice cannot send them (kernel TLS is
            // not used): S3Exchange's copy through a buffer, the head held back to share the first body record.
            _holdHead = true;
            return base.SendAsync(body, position, count, cancellationToken);
        }
        ArgumentNullException.ThrowIfNull(body);
        CheckRange(body, position, count);
        FinishHead(count);
        var head = _responseHead.AsMemory(0, _responseHeadLength);
        if (count == 0) return _owner.Connection.SendAsync(head, cancellationToken);
        var first = body.SegmentAt(position);
        if (first.Length >= count) // one file region (every single-part object): no state machine of our own
            return _owner.Engine.SendFileAsync(head, first.File, first.Offset, count, _owner.Connection, cancellationToken);
        return SendSegmentsAsync(head, body, position, count, cancellationToken);
    }

    private async ValueTask SendSegmentsAsync(ReadOnlyMemory<byte> head, IFileBody body, long position, long count,
        CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var segment = body.SegmentAt(position);
            long n = Math.Min(segment.Length, count);
            await _owner.Engine.SendFileAsync(head, segment.File, segment.Offset, n, _owner.Connection, cancellationToken);
            head = ReadOnlyMemory<byte>.Empty;
            position += n;
            count -= n;
        }
    }

    public override OwnerAwaitable ResumeOnOwner() => _owner.Connection.ResumeOnOwner();

    public override System.Net.IPAddress? RemoteAddress => (_owner.Connection.RemoteEndPoint as System.Net.IPEndPoint)?.Address;

    public override bool IsSecure => _owner.IsTls;

    private void FinishHead(long contentLength)
    {
        if (_status == 0) throw new InvalidOperationException("SetStatus first");
        if (ResponseStarted) throw new InvalidOperationException("the response was already sent");
        var w = new HttpHeadWriter(_responseHead.AsSpan(_responseHeadLength));
        // A final answer to "Expect: 100-continue" before any 100: the client may send the body or not (botocore does
        // not), so where the next request starts is unknown. Close instead of draining.
        bool close = CloseAfterResponse || !Request.KeepAlive || _owner.IsShuttingDown
            || (Request.ExpectsContinue && !_continueSent && !BodyCompleted);
        bool ok = w.TryWriteContentLength(contentLength)
            && (!close || w.TryWriteHeader(KnownHeader.Connection, "close"u8))
            && w.TryWriteEnd();
        if (!ok) throw new InvalidOperationException($"response head too large: {w.Error}");
        _responseHeadLength += w.BytesWritten;
        _contentLength = contentLength;
        CloseAfterResponse = close;
        _responseStarted = true;
    }

    /// <summary>An S3 XML error from the front itself; a 5xx one goes to the error log unless already there.</summary>
    internal ValueTask SendFrontErrorAsync(S3Error error) => SendFrontErrorAsync(error, _owner.Options.ErrorLogger, FailureLogged);
}
