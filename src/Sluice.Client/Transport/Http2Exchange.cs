using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Sluice.S3.Auth;
using Sluice.S3.Http;

namespace Sluice.Client.Transport;

/// <summary>
/// One request on an HTTP/2 stream of an <see cref="Http2Pool"/>. The signed headers go out as they were signed
/// (the Host header as :authority, values byte for byte, the path not re-escaped); the body is written from the
/// caller's memory or stream by <see cref="Http2RequestContent"/>; the response head is rendered into HTTP/1.1 form
/// and parsed by the same parser as on HTTP/1.1, so metadata, ranges and errors are read by the same code; the body
/// is read from the handler's response stream under the first-byte timeout, the stall rule and the caller's token.
/// </summary>
internal sealed class Http2Exchange : IHttpExchange, IDisposable
{
    private const int InitialHeadBuffer = 4 * 1024;

    private readonly Http2Pool _pool;
    private readonly S3ClientOptions _settings;
    private readonly CancellationTokenSource _timer = new();
    private CancellationTokenRegistration _sendRegistration;
    private byte[] _headBuffer = ArrayPool<byte>.Shared.Rent(InitialHeadBuffer);
    private int _headLength;
    private byte[]? _segment;
    private Task<HttpResponseMessage>? _sending;
    private HttpResponseMessage? _response;
    private Stream? _body;
    private bool _hasBody;
    private long _declared;
    private volatile bool _waitingForFirstByte;
    private int _serializations;
    private long _sourceStart;
    private StallWindow _sendWindow;
    private StallWindow _receiveWindow;

    public Http2Exchange(Http2Pool pool)
    {
        _pool = pool;
        _settings = pool.Options;
    }

    public SigV4HeaderList Headers { get; } = new();

    /// <summary>Always 0: a stream is never reused (the handler pools the connections).</summary>
    public int Uses => 0;

    public S3ResponseHead Head { get; } = new();

    public ReadOnlySpan<byte> HeadBytes => _headBuffer.AsSpan(0, _headLength);

    public long ResponseBytes { get; private set; }

    public long BodyDelivered { get; private set; }

    public bool RequestSent { get; private set; }

    /// <summary>Set when this exchange's timeout ended silent connections: completes once the handler dropped them.</summary>
    internal Task? Aborting { get; private set; }

    public void BeginRequest()
    {
        ResponseBytes = 0;
        BodyDelivered = 0;
        RequestSent = false;
        _sendWindow.Reset();
        _receiveWindow.Reset();
    }

    /// <summary>Starts the request: the signed <see cref="Headers"/>, then the body (if any) as the handler asks for it.</summary>
    public void Send(string method, string path, string? query, ReadOnlyMemory<byte> body, Stream? bodyStream, long bodyLength,
        CancellationToken cancellationToken)
    {
        // Not canonicalized: the path is already SigV4-encoded and must go out as signed ("a%2Fb", "..", "%20").
        var uri = new Uri(query is null ? _pool.BaseAddress + path : $"{_pool.BaseAddress}{path}?{query}",
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var request = new HttpRequestMessage(MethodOf(method), uri)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (bodyStream is { CanSeek: true })
        {
            _sourceStart = bodyStream.Position;
        }

        Http2RequestContent? content = bodyLength >= 0 ? new Http2RequestContent(this, body, bodyStream, bodyLength) : null;
        HttpRequestHeaders headers = request.Headers;
        for (int i = 0; i < Headers.Count; i++)
        {
            ReadOnlySpan<byte> name = Headers.GetName(i);
            // Latin-1 maps each byte to one char and back (the handler encodes request headers as Latin-1 here), so
            // the values on the wire are the bytes that were signed, as on HTTP/1.1.
            string value = Encoding.Latin1.GetString(Headers.GetValue(i));
            if (name.SequenceEqual("host"u8))
            {
                headers.Host = value; // sent as :authority
                continue;
            }

            string nameString = Encoding.ASCII.GetString(name);
            if (!headers.TryAddWithoutValidation(nameString, value))
            {
                // Content headers (Content-Type, Content-MD5, ...) belong to the content, even of a bodiless request.
                content ??= new Http2RequestContent(this, ReadOnlyMemory<byte>.Empty, null, -1);
                content.Headers.TryAddWithoutValidation(nameString, value);
            }
        }

        request.Content = content;
        _waitingForFirstByte = content is null || bodyLength <= 0;
        _sendRegistration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _timer)
            : default;
        _timer.CancelAfter(_waitingForFirstByte ? _settings.FirstByteTimeout : _settings.StallTimeout);
        if (content is null)
        {
            RequestSent = true;
        }

        _sending = _pool.Invoker.SendAsync(request, _timer.Token);
    }

    /// <summary>Writes the body for <see cref="Http2RequestContent"/>: slices from memory, or the stream through a pooled buffer.</summary>
    internal async Task WriteBodyAsync(Stream target, ReadOnlyMemory<byte> body, Stream? source, long length,
        CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _serializations) > 1 && source is not null)
        {
            // The handler sends a body again when the server refused the stream before reading it (GOAWAY).
            if (!source.CanSeek)
            {
                throw new IOException("The request body stream cannot be sent again (it does not seek).");
            }

            source.Position = _sourceStart;
        }

        if (source is null)
        {
            for (int offset = 0; offset < body.Length; offset += HttpConnection.SendSliceSize)
            {
                await WriteSliceAsync(target, body.Slice(offset, Math.Min(HttpConnection.SendSliceSize, body.Length - offset)),
                    cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(HttpConnection.SendSliceSize);
            try
            {
                long left = length;
                while (left > 0)
                {
                    int n = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken)
                        .ConfigureAwait(false);
                    if (n == 0)
                    {
                        throw new ArgumentException($"The body stream ended {left} bytes before the declared length of {length}.");
                    }

                    left -= n;
                    await WriteSliceAsync(target, buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        RequestSent = true;
        _waitingForFirstByte = true;
        _timer.CancelAfter(_settings.FirstByteTimeout);
    }

    private async ValueTask WriteSliceAsync(Stream target, ReadOnlyMemory<byte> slice, CancellationToken cancellationToken)
    {
        if (_settings.BandwidthLimit is { } limit)
        {
            await limit.WaitAsync(slice.Length, cancellationToken).ConfigureAwait(false);
        }

        _timer.CancelAfter(_settings.StallTimeout);
        await target.WriteAsync(slice, cancellationToken).ConfigureAwait(false);
        _sendWindow.Account(slice.Length, _settings);
    }

    public async ValueTask ReadHeadAsync(CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _sending!.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not S3Exception)
        {
            throw Translate(e, cancellationToken);
        }
        finally
        {
            _sendRegistration.Dispose();
        }

        _response = response;
        _timer.CancelAfter(Timeout.InfiniteTimeSpan);
        _waitingForFirstByte = false;
        RequestSent = true; // the server answered: it has seen the request
        if (response.Version == HttpVersion.Version20)
        {
            Interlocked.Increment(ref _pool.Http2Responses);
        }

        RenderHead(response);
        HttpParseResult result = Head.Parse(_headBuffer.AsSpan(0, _headLength));
        if (!result.IsComplete)
        {
            throw new S3Exception(S3ClientErrorCodes.MalformedResponse, (int)response.StatusCode,
                $"The server sent a response head that does not parse ({result.Error}).", isRetryable: true);
        }

        ResponseBytes = _headLength;
    }

    /// <summary>The response head as HTTP/1.1 bytes (Latin-1: header values are the bytes the server sent).</summary>
    private void RenderHead(HttpResponseMessage response)
    {
        int length = 0;
        Append(ref length, "HTTP/1.1 ");
        Append(ref length, ((int)response.StatusCode).ToString("D3", CultureInfo.InvariantCulture));
        Append(ref length, " H2\r\n");
        foreach (KeyValuePair<string, HeaderStringValues> h in response.Headers.NonValidated)
        {
            AppendHeader(ref length, h.Key, h.Value);
        }

        foreach (KeyValuePair<string, HeaderStringValues> h in response.Content.Headers.NonValidated)
        {
            AppendHeader(ref length, h.Key, h.Value);
        }

        Append(ref length, "\r\n");
        _headLength = length;
    }

    private void AppendHeader(ref int length, string name, HeaderStringValues values)
    {
        Append(ref length, name);
        Append(ref length, ": ");
        bool first = true;
        foreach (string value in values)
        {
            if (!first)
            {
                Append(ref length, ", ");
            }

            first = false;
            Append(ref length, value);
        }

        Append(ref length, "\r\n");
    }

    private void Append(ref int length, string text)
    {
        if (_headBuffer.Length - length < text.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_headBuffer.Length * 2, length + text.Length));
            _headBuffer.AsSpan(0, length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_headBuffer);
            _headBuffer = bigger;
        }

        length += Encoding.Latin1.GetBytes(text, _headBuffer.AsSpan(length));
    }

    public void BeginBody(bool hasBody)
    {
        _hasBody = hasBody;
        _declared = Head.ContentLength;
        if (hasBody)
        {
            _body = _response!.Content.ReadAsStream();
        }
    }

    public async ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (!_hasBody || destination.IsEmpty)
        {
            return 0;
        }

        CancellationTokenRegistration user = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _timer)
            : default;
        _timer.CancelAfter(_settings.StallTimeout);
        int n;
        try
        {
            n = await _body!.ReadAsync(destination, _timer.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not S3Exception)
        {
            throw Translate(e, cancellationToken);
        }
        finally
        {
            user.Dispose();
            _timer.CancelAfter(Timeout.InfiniteTimeSpan);
        }

        if (n == 0)
        {
            _hasBody = false;
            if (_declared >= 0 && BodyDelivered < _declared)
            {
                throw new S3Exception(S3ClientErrorCodes.TruncatedBody, Head.StatusCode,
                    $"The response body ended {_declared - BodyDelivered} bytes before its Content-Length of {_declared}.",
                    isRetryable: true);
            }

            return 0;
        }

        ResponseBytes += n;
        BodyDelivered += n;
        _receiveWindow.Account(n, _settings);
        if (_settings.BandwidthLimit is { } limit)
        {
            await limit.WaitAsync(n, cancellationToken).ConfigureAwait(false);
        }

        return n;
    }

    public async ValueTask<ReadOnlyMemory<byte>> NextSegmentAsync(int max, CancellationToken cancellationToken)
    {
        _segment ??= ArrayPool<byte>.Shared.Rent(HttpConnection.ReceiveBufferSize);
        int n = await ReadBodyAsync(_segment.AsMemory(0, Math.Min(max, _segment.Length)), cancellationToken).ConfigureAwait(false);
        return _segment.AsMemory(0, n);
    }

    public async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        while (!(await NextSegmentAsync(int.MaxValue, cancellationToken).ConfigureAwait(false)).IsEmpty)
        {
        }
    }

    private Exception Translate(Exception e, CancellationToken user)
    {
        if (user.IsCancellationRequested)
        {
            return new OperationCanceledException("The S3 request was cancelled.", e, user);
        }

        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case S3Exception s3:
                    if (s3.Code is S3ClientErrorCodes.ConnectFailed or S3ClientErrorCodes.ConnectTimeout
                        or S3ClientErrorCodes.TlsFailed or S3ClientErrorCodes.Http2Refused)
                    {
                        RequestSent = false; // no connection: nothing reached the server
                    }

                    return s3;
                case ArgumentException argument:
                    return argument; // the caller's body stream was shorter than its declared length
            }
        }

        if (_timer.IsCancellationRequested)
        {
            // The stream timed out: a connection that went silent that long is dead to the retry too.
            TimeSpan timeout = _waitingForFirstByte ? _settings.FirstByteTimeout : _settings.StallTimeout;
            Aborting = _pool.AbortSilentConnections(timeout / 2);
            return _waitingForFirstByte
                ? new S3Exception(S3ClientErrorCodes.FirstByteTimeout, 0,
                    $"No response within the first-byte timeout of {_settings.FirstByteTimeout.TotalSeconds:0.###} s.",
                    isRetryable: true, innerException: e)
                : new S3Exception(S3ClientErrorCodes.Stalled, 0,
                    $"No progress on the HTTP/2 stream for {_settings.StallTimeout.TotalSeconds:0.###} s; dropped.",
                    isRetryable: true, innerException: e);
        }

        if (e is HttpRequestException { HttpRequestError: HttpRequestError.VersionNegotiationError })
        {
            RequestSent = false;
            return new S3Exception(S3ClientErrorCodes.Http2Refused, 0, $"The server did not accept HTTP/2: {e.Message}",
                isRetryable: false, innerException: e);
        }

        return new S3Exception(S3ClientErrorCodes.ConnectionReset, 0, $"The HTTP/2 stream failed: {e.Message}",
            isRetryable: true, innerException: e);
    }

    private static HttpMethod MethodOf(string method) => method switch
    {
        "GET" => HttpMethod.Get,
        "PUT" => HttpMethod.Put,
        "POST" => HttpMethod.Post,
        "HEAD" => HttpMethod.Head,
        "DELETE" => HttpMethod.Delete,
        _ => new HttpMethod(method),
    };

    public void Dispose()
    {
        _sendRegistration.Dispose();
        if (_response is not null)
        {
            // Resets the stream when its body was not read to the end (a cancelled or failed download).
            _response.Dispose();
            _timer.Dispose();
        }
        else if (_sending is { } sending)
        {
            // The request failed or was abandoned before its head arrived: end it, and observe how it ends.
            _timer.Cancel();
            _ = sending.ContinueWith(static t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    t.Result.Dispose();
                }
                else
                {
                    _ = t.Exception;
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        ArrayPool<byte>.Shared.Return(_headBuffer);
        if (_segment is not null)
        {
            ArrayPool<byte>.Shared.Return(_segment);
        }
    }
}
