namespace Sluice.Server.Routing;

/// <summary>How <see cref="S3Router"/> reads requests.</summary>
public sealed class S3RouterOptions
{
    /// <summary>
    /// Base domains for virtual-hosted-style addressing: <c>Host: bucket.&lt;domain&gt;[:port]</c> names the bucket.
    /// The bare domain, an IP literal or any other host means path-style. When several match, the longest wins, so
    /// "s3.localhost" beside "localhost" reads <c>b.s3.localhost</c> as bucket "b". Default: "localhost".
    /// </summary>
    public IList<string> VirtualHostDomains { get; } = new List<string> { "localhost" };

    /// <summary>
    /// Whether GetObject / HeadObject with <c>?partNumber=N</c> (read one part of a multipart object) are routed (the
    /// default). Off: they answer NotImplemented rather than the whole object, which would be a wrong success — for a
    /// handler that cannot read parts.
    /// </summary>
    public bool PartNumberReads { get; set; } = true;
}
