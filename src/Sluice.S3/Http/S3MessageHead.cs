namespace Sluice.S3.Http;

/// <summary>
/// What <see cref="S3RequestHead"/> and <see cref="S3ResponseHead"/> share: the reusable header table, the version,
/// and message framing (Content-Length / chunked / keep-alive) settled by one implementation of RFC 9112 §6.
/// Not meant to be derived from outside this assembly.
/// </summary>
public abstract class S3MessageHead
{
    private protected S3MessageHead(HttpLimits limits)
    {
        Limits = limits;
        Headers = new HttpHeaderTable(limits.MaxHeaderCount);
    }

    /// <summary>The header fields.</summary>
    public HttpHeaderTable Headers { get; }

    /// <summary>HTTP/1.0 or HTTP/1.1.</summary>
    public HttpProtocolVersion Version { get; private protected set; }

    /// <summary>Bytes of the head, including the blank line; the body starts here.</summary>
    public int HeadLength { get; private set; }

    /// <summary>Content-Length, or -1 when absent.</summary>
    public long ContentLength { get; private set; }

    /// <summary>True when the body uses Transfer-Encoding: chunked.</summary>
    public bool IsChunked { get; private set; }

    /// <summary>True when the connection may carry another message after this one.</summary>
    public bool KeepAlive { get; private set; }

    private protected HttpLimits Limits { get; }

    /// <summary>Forgets the previous head's fields and framing.</summary>
    private protected void ResetMessage()
    {
        Headers.Clear();
        Version = HttpProtocolVersion.None;
        HeadLength = 0;
        ContentLength = -1;
        IsChunked = KeepAlive = false;
    }

    /// <summary>Records one field as offsets into <paramref name="buffer"/>.</summary>
    private protected void AddField(ReadOnlySpan<byte> buffer, KnownHeader header, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
        // The parser enforces MaxHeaderCount, which is the table's capacity, so Add cannot fail here.
        Headers.Add(new HttpField(header, HttpSlice.Locate(buffer, name), HttpSlice.Locate(buffer, value)));

    /// <summary>The result of a parse the parser reported complete, once the head's own checks gave <paramref name="error"/>.</summary>
    private protected HttpParseResult Complete(HttpParseResult parsed, HttpParseError error)
    {
        if (error != HttpParseError.None)
        {
            return HttpParseResult.Fail(error);
        }

        HeadLength = parsed.BytesConsumed;
        return parsed;
    }

    /// <summary>
    /// Content-Length vs Transfer-Encoding and keep-alive. Requests and responses differ in two places only:
    /// an HTTP/1.0 request cannot be chunked, and a Transfer-Encoding without a final chunked is invalid in a
    /// request (RFC 9112 §6.3 rule 4) but a close-delimited body in a response, which S3 never sends.
    /// </summary>
    private protected HttpParseError ResolveFraming(ReadOnlySpan<byte> buffer, bool isRequest)
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
            // HTTP/1.0 has no chunked coding (RFC 9112 §6.1); a repeated field is a smuggling attempt.
            if ((isRequest && Version != HttpProtocolVersion.Http11) || h.CountOf(KnownHeader.TransferEncoding) > 1)
            {
                return HttpParseError.InvalidTransferEncoding;
            }

            switch (HttpHeaderValues.ClassifyTransferEncoding(transferField.Value.Of(buffer)))
            {
                case TransferEncodingKind.Chunked:
                    IsChunked = true;
                    break;
                case TransferEncodingKind.ChunkedAfterOtherCodings:
                    // Compressed bodies: S3 never uses them, so do not pretend to handle them.
                    return HttpParseError.UnsupportedTransferEncoding;
                case TransferEncodingKind.NotChunked when !isRequest:
                    // A close-delimited response body: likewise never sent by S3.
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
        return HttpParseError.None;
    }
}
