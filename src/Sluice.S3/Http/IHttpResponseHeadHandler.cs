namespace Sluice.S3.Http;

/// <summary>Receives a response head. Implement on a struct (or ref struct) so the parser's calls inline.</summary>
public interface IHttpResponseHeadHandler : IHttpHeaderHandler
{
    /// <summary>The status line, delivered before any header. <paramref name="statusCode"/> is 100..999.</summary>
    void OnStatusLine(HttpProtocolVersion version, int statusCode, ReadOnlySpan<byte> reason);
}
