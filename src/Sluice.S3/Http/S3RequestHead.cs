namespace Sluice.S3.Http;

/// <summary>
/// A reusable, allocation-free request head for the S3 server: parses with <see cref="HttpHeadParser"/>, keeps
/// everything as offsets into the caller's buffer, and settles message framing (Content-Length vs chunked,
/// keep-alive, 100-continue) with the strict rules of RFC 9112 §6.3. Create one per connection.
/// </summary>
public sealed class S3RequestHead : S3MessageHead
{
    /// <summary>Creates a head using <paramref name="limits"/> (default: <see cref="HttpLimits.Default"/>).</summary>
    public S3RequestHead(HttpLimits limits = default)
        : base(limits)
    {
    }

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

    /// <summary>True when the client waits for "100 Continue" before sending the body.</summary>
    public bool ExpectsContinue { get; private set; }

    /// <summary>Parses the head at the start of <paramref name="buffer"/>. On Complete, all slices refer to
    /// <paramref name="buffer"/>, so keep those bytes in place while using them. Without Content-Length and
    /// chunked coding the request has no body.</summary>
    public HttpParseResult Parse(ReadOnlySpan<byte> buffer)
    {
        Reset();
        var collector = new Collector(this, buffer);
        HttpParseResult result = HttpHeadParser.ParseRequestHead(buffer, ref collector, Limits);
        return result.IsComplete ? Complete(result, Resolve(buffer)) : result;
    }

    private void Reset()
    {
        ResetMessage();
        Method = KnownMethod.Unknown;
        MethodName = Target = Authority = Path = Query = default;
        TargetForm = HttpTargetForm.Origin;
        ExpectsContinue = false;
    }

    private HttpParseError Resolve(ReadOnlySpan<byte> buffer)
    {
        HttpHeaderTable h = Headers;

        // RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host; more than one is always an error.
        int hosts = h.CountOf(KnownHeader.Host);
        if (hosts > 1 || (hosts == 0 && Version == HttpProtocolVersion.Http11))
        {
            return HttpParseError.InvalidHost;
        }

        HttpParseError error = ResolveFraming(buffer, isRequest: true);
        if (error != HttpParseError.None)
        {
            return error;
        }

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
            _owner.AddField(_buffer, header, name, value);

        public readonly void OnHeadersComplete()
        {
        }
    }
}
