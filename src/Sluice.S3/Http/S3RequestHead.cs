namespace Sluice.S3.Http;

/// <summary>
/// A reusable, allocation-free request head for the S3 server: parses with <see cref="HttpHeadParser"/>, keeps
/// everything as offsets into the caller's buffer, and settles message framing (Content-Length vs chunked,
/// keep-alive, 100-continue) with the strict rules of RFC 9112 §6.3. Create one per connection.
/// </summary>
public sealed class S3RequestHead
{
    private readonly HttpLimits _limits;

    /// <summary>Creates a head using <paramref name="limits"/> (default: <see cref="HttpLimits.Default"/>).</summary>
    public S3RequestHead(HttpLimits limits = default)
    {
        _limits = limits;
        Headers = new HttpHeaderTable(limits.MaxHeaderCount);
    }

    /// <summary>The header fields.</summary>
    public HttpHeaderTable Headers { get; }

    /// <summary>The method.</summary>
    public KnownMethod Method { get; private set; }

    /// <summary>The raw method token.</summary>
    public HttpSlice MethodName { get; private set; }

    /// <summary>The whole request-target.</summary>
    public HttpSlice Target { get; private set; }

    /// <summary>The target's form.</summary>
    public HttpTargetForm TargetForm { get; private set; }

    /// <summary>host[:port] of an absolute-form target.</summary>
    public HttpSlice Authority { get; private set; }

    /// <summary>The percent-encoded path (empty means "/" in absolute-form).</summary>
    public HttpSlice Path { get; private set; }

    /// <summary>The query without '?'.</summary>
    public HttpSlice Query { get; private set; }

    /// <summary>HTTP/1.0 or HTTP/1.1.</summary>
    public HttpProtocolVersion Version { get; private set; }

    /// <summary>Bytes of the head, including the blank line; the body starts here.</summary>
    public int HeadLength { get; private set; }

    /// <summary>Content-Length, or -1 when absent (then the body is chunked or empty).</summary>
    public long ContentLength { get; private set; }

    /// <summary>True when the body uses Transfer-Encoding: chunked.</summary>
    public bool IsChunked { get; private set; }

    /// <summary>True when the connection may carry another request after this one.</summary>
    public bool KeepAlive { get; private set; }

    /// <summary>True when the client waits for "100 Continue" before sending the body.</summary>
    public bool ExpectsContinue { get; private set; }

    /// <summary>Parses the head at the start of <paramref name="buffer"/>. On Complete, all slices refer to
    /// <paramref name="buffer"/>, so keep those bytes in place while using them.</summary>
    public HttpParseResult Parse(ReadOnlySpan<byte> buffer)
    {
        Reset();
        var collector = new Collector(this, buffer);
        HttpParseResult result = HttpHeadParser.ParseRequestHead(buffer, ref collector, _limits);
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

    private void Reset()
    {
        Headers.Clear();
        Method = KnownMethod.Unknown;
        MethodName = Target = Authority = Path = Query = default;
        TargetForm = HttpTargetForm.Origin;
        Version = HttpProtocolVersion.None;
        HeadLength = 0;
        ContentLength = -1;
        IsChunked = KeepAlive = ExpectsContinue = false;
    }

    private HttpParseError ResolveFraming(ReadOnlySpan<byte> buffer)
    {
        HttpHeaderTable h = Headers;

        // RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host; more than one is always an error.
        int hosts = h.CountOf(KnownHeader.Host);
        if (hosts > 1 || (hosts == 0 && Version == HttpProtocolVersion.Http11))
        {
            return HttpParseError.InvalidHost;
        }

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
            // HTTP/1.0 has no chunked coding (RFC 9112 §6.1); a repeated field is a smuggling attempt.
            if (Version != HttpProtocolVersion.Http11 || h.CountOf(KnownHeader.TransferEncoding) > 1)
            {
                return HttpParseError.InvalidTransferEncoding;
            }

            switch (HttpHeaderValues.ClassifyTransferEncoding(transferField.Value.Of(buffer)))
            {
                case TransferEncodingKind.Chunked:
                    IsChunked = true;
                    break;
                case TransferEncodingKind.ChunkedAfterOtherCodings:
                    return HttpParseError.UnsupportedTransferEncoding;
                default:
                    return HttpParseError.InvalidTransferEncoding;
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
        ExpectsContinue = Version == HttpProtocolVersion.Http11
            && HttpHeaderValues.IsExpect100Continue(h.GetValue(KnownHeader.Expect, buffer));
        return HttpParseError.None;
    }

    private ref struct Collector(S3RequestHead owner, ReadOnlySpan<byte> buffer) : IHttpRequestHeadHandler
    {
        private readonly S3RequestHead _owner = owner;
        private readonly ReadOnlySpan<byte> _buffer = buffer;

        public readonly void OnRequestLine(in HttpRequestLine line)
        {
            S3RequestHead o = _owner;
            o.Method = line.Method;
            o.MethodName = HttpSlice.Locate(_buffer, line.MethodName);
            o.Target = HttpSlice.Locate(_buffer, line.Target);
            o.TargetForm = line.Form;
            o.Authority = HttpSlice.Locate(_buffer, line.Authority);
            o.Path = HttpSlice.Locate(_buffer, line.Path);
            o.Query = HttpSlice.Locate(_buffer, line.Query);
            o.Version = line.Version;
        }

        public readonly void OnHeader(KnownHeader header, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
            // The parser enforces MaxHeaderCount, which is the table's capacity, so Add cannot fail here.
            _owner.Headers.Add(new HttpField(header, HttpSlice.Locate(_buffer, name), HttpSlice.Locate(_buffer, value)));

        public readonly void OnHeadersComplete()
        {
        }
    }
}
