namespace Sluice.S3.Http;

/// <summary>The HTTP/1.x versions this codec speaks. Anything else is a parse error.</summary>
public enum HttpProtocolVersion : byte
{
    /// <summary>Not parsed yet.</summary>
    None = 0,
    /// <summary>HTTP/1.0: connection closes unless keep-alive is asked for.</summary>
    Http10,
    /// <summary>HTTP/1.1: persistent connection unless "Connection: close".</summary>
    Http11,
}
