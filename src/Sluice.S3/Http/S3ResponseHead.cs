namespace Sluice.S3.Http;

/// <summary>
/// A reusable, allocation-free response head for the S3 client: status, fields as offsets, and framing
/// (Content-Length / chunked / keep-alive). Whether a body exists at all (HEAD, 204, 304, 1xx) is the caller's call.
/// </summary>
public sealed class S3ResponseHead : S3MessageHead
{
    /// <summary>Creates a head using <paramref name="limits"/> (default: <see cref="HttpLimits.Default"/>).</summary>
    public S3ResponseHead(HttpLimits limits = default)
        : base(limits)
    {
    }

    /// <summary>The status code, 100..999.</summary>
    public int StatusCode { get; private set; }

    /// <summary>The reason phrase (informational only).</summary>
    public HttpSlice Reason { get; private set; }

    /// <summary>True for a 1xx interim response: skip <see cref="S3MessageHead.HeadLength"/> bytes and parse the next head.</summary>
    public bool IsInterim => HttpHeadParser.IsInterimStatus(StatusCode);

    /// <summary>Parses the head at the start of <paramref name="buffer"/>.</summary>
    public HttpParseResult Parse(ReadOnlySpan<byte> buffer)
    {
        ResetMessage();
        StatusCode = 0;
        Reason = default;

        var collector = new Collector(this, buffer);
        HttpParseResult result = HttpHeadParser.ParseResponseHead(buffer, ref collector, Limits);
        return result.IsComplete ? Complete(result, ResolveFraming(buffer, isRequest: false)) : result;
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
            _owner.AddField(_buffer, header, name, value);

        public readonly void OnHeadersComplete()
        {
        }
    }
}
