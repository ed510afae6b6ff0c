namespace Sluice.S3.Http;

/// <summary>A parsed request line. All spans are slices of the parsed buffer (or empty).</summary>
public readonly ref struct HttpRequestLine
{
    /// <summary>Creates a request line view.</summary>
    public HttpRequestLine(KnownMethod method, ReadOnlySpan<byte> methodName, ReadOnlySpan<byte> target, HttpTargetForm form,
        ReadOnlySpan<byte> authority, ReadOnlySpan<byte> path, ReadOnlySpan<byte> query, HttpProtocolVersion version)
    {
        Method = method;
        MethodName = methodName;
        Target = target;
        Form = form;
        Authority = authority;
        Path = path;
        Query = query;
        Version = version;
    }

    /// <summary>The method, or <see cref="KnownMethod.Unknown"/> for extension methods (see <see cref="MethodName"/>).</summary>
    public KnownMethod Method { get; }

    /// <summary>The raw method token (methods are case-sensitive).</summary>
    public ReadOnlySpan<byte> MethodName { get; }

    /// <summary>The whole request-target as sent, still percent-encoded.</summary>
    public ReadOnlySpan<byte> Target { get; }

    /// <summary>Which form the target has.</summary>
    public HttpTargetForm Form { get; }

    /// <summary>host[:port] of an absolute-form target; empty otherwise.</summary>
    public ReadOnlySpan<byte> Authority { get; }

    /// <summary>The path (percent-encoded) without the query; "*" for asterisk-form; empty means "/" in absolute-form.</summary>
    public ReadOnlySpan<byte> Path { get; }

    /// <summary>The query without its leading '?'; empty if none.</summary>
    public ReadOnlySpan<byte> Query { get; }

    /// <summary>HTTP/1.0 or HTTP/1.1.</summary>
    public HttpProtocolVersion Version { get; }
}
