namespace Sluice.S3.Http;

/// <summary>Receives a request head. Implement on a struct (or ref struct) so the parser's calls inline.</summary>
public interface IHttpRequestHeadHandler : IHttpHeaderHandler
{
    /// <summary>The request line, delivered before any header.</summary>
    void OnRequestLine(in HttpRequestLine line);
}
