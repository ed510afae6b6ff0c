using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Sluice.IO;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.Server.Exchange;
using Sluice.Server.Http;

namespace Sluice.Server.Kestrel;

/// <summary>
/// One request Kestrel parsed (HTTP/1.1 or HTTP/2), presented to the core. The head is rebuilt as the HTTP/1.1 head
/// the client would have sent — method, the raw target as received (never the decoded path), Host (HTTP/2's
/// :authority, which Kestrel maps to Host), every header with its value's bytes — and parsed by the HTTP/1.1 front's
/// parser, so SigV4 verifies the same bytes on every front. Kestrel removes the transfer framing: the body is read
/// from its request body. The response goes out through Kestrel's response: status, headers (values as bytes:
/// Latin-1 both ways), and a body of bytes, streamed bytes or file segments copied into its pipe.
/// </summary>
internal sealed class KestrelExchange : S3Exchange
{
    /// <summary>File bytes read into the response pipe at a time: large reads, and the pipe's flush applies back-pressure.</summary>
    private const int FileChunkSize = 256 * 1024;

    private static long s_requests;

    private readonly HttpContext _context;
    private readonly byte[] _head;
    private readonly S3RequestHead _request = new();
    private readonly string _serverName;
    private int _status;
    private bool _started;
    private bool _bodyDone;

    private KestrelExchange(HttpContext context, byte[] head, bool hasBody, string serverName)
    {
        _context = context;
        _head = head;
        _bodyDone = !hasBody;
        _serverName = serverName;
        RequestId = (ulong)Interlocked.Increment(ref s_requests) | KestrelRequestIdBit;
    }

    /// <summary>Sets request ids of this front apart from the in-process front's, which count from 1 too.</summary>
    private const ulong KestrelRequestIdBit = 1UL << 63;

    /// <summary>
    /// The exchange for <paramref name="context"/>'s request; <paramref name="error"/> is set (and the head is not
    /// usable) when the rebuilt head does not parse or exceeds the HTTP/1.1 front's limits.
    /// </summary>
    public static KestrelExchange Create(HttpContext context, string serverName, out S3Error? error)
    {
        var (head, hasBody) = Head(context);
        var exchange = new KestrelExchange(context, head, hasBody, serverName);
        error = null;
        if (head.Length > HttpLimits.DefaultMaxHeadBytes)
        {
            error = new S3Error(S3ErrorCode.InvalidRequest, "request head too large");
            return exchange;
        }
        var result = exchange._request.Parse(head);
        if (result.Status != HttpParseStatus.Complete)
            error = new S3Error(S3ErrorCode.InvalidRequest, $"malformed HTTP request ({result.Error})");
        return exchange;
    }

    public override S3RequestHead Request => _request;

    public override ReadOnlyMemory<byte> HeadBytes => _head;

    public override ulong RequestId { get; }

    public override bool ResponseStarted => _started;

    public override int ResponseStatus => _status;

    public override System.Net.IPAddress? RemoteAddress => _context.Connection.RemoteIpAddress;

    public override bool IsSecure => _context.Request.IsHttps;

    public override long ResponseContentLength => _started ? _context.Response.ContentLength ?? -1 : -1;

    public override bool BodyCompleted => _bodyDone;

    /// <summary>
    /// The HTTP/1.1 head for the request, and whether a body may follow. HTTP/1.x framing headers pass through as
    /// received (Kestrel framed the body by them). HTTP/2 frames bodies itself and Content-Length is optional there:
    /// without one, a body of unknown length is announced as chunked (as the in-process front does), and a PUT or
    /// POST whose stream ended with its headers as Content-Length: 0.
    /// </summary>
    private static (byte[] Head, bool HasBody) Head(HttpContext context)
    {
        var request = context.Request;
        var features = context.Features;
        string target = features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.Path + request.QueryString).ToString();
        bool http1 = HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol);
        bool canHaveBody = features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true;
        string version = HttpProtocol.IsHttp10(request.Protocol) ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n";
        string? framing = null;
        if (!http1 && request.ContentLength == null)
        {
            if (canHaveBody) framing = "Transfer-Encoding: chunked\r\n";
            else if (HttpMethods.IsPut(request.Method) || HttpMethods.IsPost(request.Method)) framing = "Content-Length: 0\r\n";
        }

        // Sized exactly first, so the head is one array and no builder.
        int length = request.Method.Length + 1 + Encoding.UTF8.GetByteCount(target) + version.Length + (framing?.Length ?? 0) + 2;
        foreach (var (name, values) in request.Headers)
        {
            if (name.StartsWith(':')) continue; // HTTP/2 pseudo-headers: method, target and authority are above
            foreach (string? value in values) length += name.Length + 2 + (value?.Length ?? 0) + 2;
        }
        var head = new byte[length];
        int at = Latin1(request.Method, head, 0);
        head[at++] = (byte)' ';
        at += Encoding.UTF8.GetBytes(target, head.AsSpan(at)); // Kestrel decodes a raw target as UTF-8 (ASCII when encoded)
        at += Latin1(version, head, at);
        foreach (var (name, values) in request.Headers)
        {
            if (name.StartsWith(':')) continue;
            foreach (string? value in values) at += Line(name, value, head, at);
        }
        if (framing != null) at += Latin1(framing, head, at);
        head[at++] = (byte)'\r';
        head[at++] = (byte)'\n';
        return (head, canHaveBody);
    }

    /// <summary>One "name: value" line; each value of a repeated header gets its own, as it arrived.</summary>
    private static int Line(string name, string? value, byte[] head, int at)
    {
        int start = at;
        at += Latin1(name, head, at);
        head[at++] = (byte)':';
        head[at++] = (byte)' ';
        at += Latin1(value ?? "", head, at);
        head[at++] = (byte)'\r';
        head[at++] = (byte)'\n';
        return at - start;
    }

    /// <summary>Header values are read as Latin-1 (KestrelFront sets it), so each char is the byte received.</summary>
    private static int Latin1(string text, byte[] destination, int at) => Encoding.Latin1.GetBytes(text, destination.AsSpan(at));

    // ---------------------------------------------------------------- request body

    public override async ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_bodyDone || destination.IsEmpty) return 0;
        int n;
        try
        {
            n = await _context.Request.Body.ReadAsync(destination, cancellationToken);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own body checks: a body cut short or malformed, or too slow (MinRequestBodyDataRate).
            throw new HttpBodyException(e.StatusCode == StatusCodes.Status408RequestTimeout ? S3ErrorCode.RequestTimeout
                : e.StatusCode == StatusCodes.Status413PayloadTooLarge ? S3ErrorCode.EntityTooLarge : S3ErrorCode.IncompleteBody, e.Message);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The client reset the stream or closed the connection mid-body.
            throw new HttpBodyException(S3ErrorCode.IncompleteBody, "the client went away before the body ended: " + e.Message);
        }
        if (n == 0) _bodyDone = true;
        return n;
    }

    // ---------------------------------------------------------------- response

    public override void SetStatus(int statusCode)
    {
        if (_started) throw new InvalidOperationException("the response was already sent");
        _status = statusCode;
        var response = _context.Response;
        response.StatusCode = statusCode;
        response.Headers.Clear();
        response.Headers.Server = _serverName; // Kestrel adds Date itself; its own Server header is off
        response.Headers["x-amz-request-id"] = RequestId.ToString("X16", CultureInfo.InvariantCulture);
        AddScopedHeaders();
    }

    public override void AddHeader(KnownHeader header, ReadOnlySpan<byte> value) => Add(KnownHeaders.GetName(header), value);

    public override void AddHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => Add(name, value);

    public override void AddHeader(KnownHeader header, long value) =>
        Add(KnownHeaders.GetName(header), Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));

    private void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (_status == 0) throw new InvalidOperationException("SetStatus first");
        if (_started) throw new InvalidOperationException("the response was already sent");
        var headers = _context.Response.Headers;
        string key = Encoding.ASCII.GetString(name);
        headers[key] = StringValues.Concat(headers[key], Encoding.Latin1.GetString(value));
    }

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        Start(body.Length);
        if (body.IsEmpty || !CanSendBody)
        {
            await _context.Response.StartAsync(cancellationToken);
            return;
        }
        Check(await _context.Response.BodyWriter.WriteAsync(body, cancellationToken));
    }

    public override async ValueTask SendHeadAsync(long contentLength, CancellationToken cancellationToken = default)
    {
        Start(contentLength);
        await _context.Response.StartAsync(cancellationToken);
    }

    public override async ValueTask WriteBodyAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default)
    {
        if (!_started) throw new InvalidOperationException("SendHeadAsync first");
        // Kestrel refuses bytes past the Content-Length it was given (InvalidOperationException) and ends a response
        // that fell short of it with an error, never as a complete one.
        Check(await _context.Response.BodyWriter.WriteAsync(chunk, cancellationToken));
    }

    /// <summary>
    /// Reads the file segments straight into Kestrel's response pipe (no buffer of our own in between); each flush
    /// waits while the client (or HTTP/2 flow control) is behind.
    /// </summary>
    public override async ValueTask SendAsync(IFileBody body, long position, long count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        CheckRange(body, position, count);
        Start(count);
        if (count == 0 || !CanSendBody)
        {
            await _context.Response.StartAsync(cancellationToken);
            return;
        }
        var writer = _context.Response.BodyWriter;
        while (count > 0)
        {
            var segment = body.SegmentAt(position);
            var memory = writer.GetMemory((int)Math.Min(count, FileChunkSize));
            int want = (int)Math.Min(Math.Min(segment.Length, count), memory.Length);
            int n = await segment.File.ReadAsync(memory[..want], segment.Offset, cancellationToken);
            if (n <= 0) throw new IoException("read", 0, $"{segment.File.Path} ended {count} bytes before the body did");
            writer.Advance(n);
            Check(await writer.FlushAsync(cancellationToken));
            position += n;
            count -= n;
        }
    }

    /// <summary>HEAD and 304 announce a length they do not send (Kestrel refuses body bytes for a 304).</summary>
    private bool CanSendBody => _status != StatusCodes.Status304NotModified && !HttpMethods.IsHead(_context.Request.Method);

    private void Start(long contentLength)
    {
        if (_status == 0) throw new InvalidOperationException("SetStatus first");
        if (_started) throw new InvalidOperationException("the response was already sent");
        _started = true;
        _context.Response.ContentLength = contentLength; // never chunked by Kestrel: the length is the core's promise
    }

    /// <summary>A flush that found the client gone: stop sending (nothing more would arrive anywhere).</summary>
    private void Check(System.IO.Pipelines.FlushResult result)
    {
        if (result.IsCanceled || result.IsCompleted || _context.RequestAborted.IsCancellationRequested)
            throw new OperationCanceledException("the client went away", _context.RequestAborted);
    }
}
