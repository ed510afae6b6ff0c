using System.Net;

namespace Sluice.Client.Transport;

/// <summary>
/// A request body for the HTTP/2 handler written straight from the caller's memory or stream by its
/// <see cref="Http2Exchange"/> (in slices, under the stall rule): nothing is buffered whole, and the handler never asks
/// for it as a stream of its own.
/// </summary>
internal sealed class Http2RequestContent : HttpContent
{
    private readonly Http2Exchange _exchange;
    private readonly ReadOnlyMemory<byte> _body;
    private readonly Stream? _source;
    private readonly long _length;

    /// <param name="length">The Content-Length; -1 for a content that only carries content headers of a bodiless request.</param>
    public Http2RequestContent(Http2Exchange exchange, ReadOnlyMemory<byte> body, Stream? source, long length)
    {
        _exchange = exchange;
        _body = body;
        _source = source;
        _length = length;
        if (length >= 0)
        {
            Headers.ContentLength = length;
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        _exchange.WriteBodyAsync(stream, _body, _source, Math.Max(0, _length), cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return _length >= 0;
    }
}
