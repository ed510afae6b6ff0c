namespace Sluice.S3.Naming;

/// <summary>Where a request named its bucket.</summary>
public enum S3Addressing
{
    /// <summary>In the path: <c>/bucket/key</c>.</summary>
    PathStyle,

    /// <summary>In the Host: <c>bucket.domain</c>, the path being <c>/key</c>.</summary>
    VirtualHosted,
}
