namespace Sluice.S3.Http;

/// <summary>
/// A reusable, allocation-free response head for the S3 client: status, fields as offsets, and framing
/// (Content-Length / chunked / keep-alive). Whether a body exists at all (HEAD, 204, 304, 1xx) is the caller's call.
/// </summary>
public sealed class S3ResponseHead
{
    private readonly HttpLimits _limits;

    /// <summary>Creates a head using <paramref name="limits"/> (default: <see cref="HttpLimits.Default"/>).</summary>
    public S3ResponseHead(HttpLimits limits = default)
    {
        _limits = limits;
        Headers = new HttpHeaderTable(limits.MaxHeaderCount);
    }

    /// <summary>The header fields.</summary>
    public HttpHeaderTable Headers { get; }

    /// <summary>HTTP/1.0 or HTTP/1.1.</summary>
    public HttpProtocolVersion Version { get; private set; }

    /// <summary>The status code, 100..999.</summary>
    public int StatusCode { get; private set; }

    /// <summary>The reason phrase (informational only).</summary>
    public HttpSlice Reason { get; private set; }

    /// <summary>Bytes of the head, including the blank line.</summary>
    public int HeadLength { get; private set; }

    /// <summary>Content-Length, or -1 when absent.</summary>
    public long ContentLength { get; private set; }

    /// <summary>True when the body uses Transfer-Encoding: chunked.</summary>
    public bool IsChunked { get; private set; }

    /// <summary>True when the connection may be reused after the body.</summary>
    public bool KeepAlive { get; private set; }

    /// <summary>True for a 1xx interim response: skip <see cref="HeadLength"/> bytes and parse the next head.</summary>
    public bool IsInterim => HttpHeadParser.IsInterimStatus(StatusCode);

    /// <summary>Parses the head at the start of <paramref name="buffer"/>.</summary>
    public HttpParseResult Parse(ReadOnlySpan<byte> buffer)
    {
        Headers.Clear();
        Version = HttpProtocolVersion.None;
        StatusCode = 0;
        Reason = default;
        HeadLength = 0;
        ContentLength = -1;
        IsChunked = KeepAlive = false;

        var collector = new Collector(this, buffer);
        HttpParseResult result = HttpHeadParser.ParseResponseHead(buffer, ref collector, _limits);
        if (!result.IsComplete)
        {
            return result;
        }

        HttpParseError error = ResolveFraming(buffer);
        if (error != HttpParseError.None)
        {
            return HttpParseResult.Fail(error);
        }

        HeadLength = result.BytesConsumed;
        return result;
    }

    private HttpParseError ResolveFraming(ReadOnlySpan<byte> buffer)
    {
        HttpHeaderTable h = Headers;
        bool hasLength = h.TryGet(KnownHeader.ContentLength, out HttpField lengthField);
        bool hasTransfer = h.TryGet(KnownHeader.TransferEncoding, out HttpField transferField);
        if (hasLength && hasTransfer)
        {
            return HttpParseError.ConflictingFraming;
        }

        if (hasLength)
        {
            if (h.CountOf(KnownHeader.ContentLength) > 1
                || !HttpHeaderValues.TryParseContentLength(lengthField.Value.Of(buffer), out long length))
            {
                return HttpParseError.InvalidContentLength;
            }

            ContentLength = length;
        }

        if (hasTransfer)
        {
            if (h.CountOf(KnownHeader.TransferEncoding) > 1)
            {
                return HttpParseError.InvalidTransferEncoding;
            }

            switch (HttpHeaderValues.ClassifyTransferEncoding(transferField.Value.Of(buffer)))
            {
                case TransferEncodingKind.Chunked:
                    IsChunked = true;
                    break;
                case TransferEncodingKind.Invalid:
                    return HttpParseError.InvalidTransferEncoding;
                default:
                    // Compressed or close-delimited bodies: S3 never sends them, so do not pretend to handle them.
                    return HttpParseError.UnsupportedTransferEncoding;
            }
        }

        ConnectionOptions options = ConnectionOptions.None;
        foreach (HttpField f in h.Fields)
        {
            if (f.Header == KnownHeader.Connection)
            {
                options |= HttpHeaderValues.ParseConnection(f.Value.Of(buffer));
            }
        }

        KeepAlive = HttpHeaderValues.IsKeepAlive(Version, options);
        return HttpParseError.None;
    }

    private ref struct Collector(S3ResponseHead owner, ReadOnlySpan<byte> buffer) : IHttpResponseHeadHandler
    {
        private readonly S3ResponseHead _owner = owner;
        private readonly ReadOnlySpan<byte> _buffer = buffer;

        public readonly void OnStatusLine(HttpProtocolVersion version, int statusCode, ReadOnlySpan<byte> reason)
        {
            _owner.Version = version;
            _owner.StatusCode = statusCode;
            _owner.Reason = HttpSlice.Locate(_buffer, reason);
        }

        public readonly void OnHeader(KnownHeader header, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
            _owner.Headers.Add(new HttpField(header, HttpSlice.Locate(_buffer, name), HttpSlice.Locate(_buffer, value)));

        public readonly void OnHeadersComplete()
        {
        }
    }
}
