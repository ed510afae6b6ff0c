using System.Buffers;
using System.Text;
using Sluice.S3.Http;
using Sluice.Server.Exchange;

namespace Sluice.Server.InProcess;

/// <summary>
/// One request handed to the core without a socket: the head is the HTTP/1.1 head an HTTP client would have sent
/// (parsed by the same parser as the HTTP/1.1 front, so SigV4 sees the same bytes), the body is read from a stream
/// already free of transfer framing, and the response is collected for <see cref="InProcessFront"/>.
/// </summary>
internal sealed class InProcessExchange : S3Exchange
{
    private static long s_requests;

    private readonly byte[] _head;
    private readonly S3RequestHead _request = new();
    private readonly Stream? _body;
    private readonly ArrayBufferWriter<byte> _responseBody = new();
    private bool _bodyDone;
    private bool _headSent;
    private long _announced = -1;

    private InProcessExchange(byte[] head, Stream? body)
    {
        _head = head;
        _body = body;
        _bodyDone = body == null;
        RequestId = (ulong)Interlocked.Increment(ref s_requests);
    }

    /// <summary>Parses <paramref name="head"/>; an error when it is not a valid request head.</summary>
    public static InProcessExchange Parse(byte[] head, Stream? body)
    {
        var exchange = new InProcessExchange(head, body);
        var result = exchange._request.Parse(head);
        if (result.Status != HttpParseStatus.Complete)
            throw new HttpRequestException($"the request head is not valid HTTP/1.1 ({result.Error})");
        return exchange;
    }

    public override S3RequestHead Request => _request;

    public override ReadOnlyMemory<byte> HeadBytes => _head;

    public override ulong RequestId { get; }

    public override bool ResponseStarted => _headSent;

    public override bool BodyCompleted => _bodyDone;

    /// <summary>The status set by the handler (0 before).</summary>
    public int Status { get; private set; }

    public override int ResponseStatus => Status;

    public override long ResponseContentLength => _announced;

    /// <summary>Response headers in the order added (the length announced for a HEAD is among them).</summary>
    public List<(string Name, string Value)> Headers { get; } = [];

    public byte[] Body => _responseBody.WrittenSpan.ToArray();

    public override async ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_bodyDone || destination.IsEmpty) return 0;
        int n = await _body!.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        if (n == 0) _bodyDone = true;
        return n;
    }

    public override void SetStatus(int statusCode)
    {
        if (_headSent) throw new InvalidOperationException("the response was already sent");
        Status = statusCode;
        Headers.Clear();
        Headers.Add(("x-amz-request-id", RequestId.ToString("X16", System.Globalization.CultureInfo.InvariantCulture)));
        AddScopedHeaders();
    }

    public override void AddHeader(KnownHeader header, ReadOnlySpan<byte> value) =>
        AddHeader(KnownHeaders.GetName(header), value);

    public override void AddHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (Status == 0) throw new InvalidOperationException("SetStatus first");
        Headers.Add((Encoding.ASCII.GetString(name), Encoding.Latin1.GetString(value)));
    }

    public override void AddHeader(KnownHeader header, long value) =>
        AddHeader(KnownHeaders.GetName(header), Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public override ValueTask SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        Start(body.Length);
        _responseBody.Write(body.Span);
        return ValueTask.CompletedTask;
    }

    public override ValueTask SendHeadAsync(long contentLength, CancellationToken cancellationToken = default)
    {
        Start(contentLength);
        return ValueTask.CompletedTask;
    }

    public override ValueTask WriteBodyAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default)
    {
        if (!_headSent) throw new InvalidOperationException("SendHeadAsync first");
        if (_responseBody.WrittenCount + chunk.Length > _announced)
            throw new InvalidOperationException($"the body grew past the {_announced} bytes its head announced");
        _responseBody.Write(chunk.Span);
        return ValueTask.CompletedTask;
    }

    private void Start(long contentLength)
    {
        if (Status == 0) throw new InvalidOperationException("SetStatus first");
        if (_headSent) throw new InvalidOperationException("the response was already sent");
        _headSent = true;
        _announced = contentLength;
        Headers.Add(("Content-Length", contentLength.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>True when the body sent is as long as its head announced (a HEAD or 304 announces what it does not send).</summary>
    public bool ResponseComplete => Request.Method == KnownMethod.Head || Status == 304 || _responseBody.WrittenCount == _announced;

    /// <summary>The error answer to a body that failed the way the HTTP/1.1 front answers it.</summary>
    public ValueTask SendBodyErrorAsync(HttpBodyException e) => SendErrorAsync(FrontErrors.Body(e));
}
