namespace Sluice.Client.Transport;

/// <summary>One S3 request as the transport sends it (re-signed on every attempt).</summary>
internal struct S3Call
{
    public string Method;
    public string? Bucket;
    public string? Key;

    /// <summary>Raw (already encoded) query string without '?'.</summary>
    public string? Query;

    /// <summary>Whether blind retries are safe (the same request twice has the effect of once).</summary>
    public bool Idempotent;

    /// <summary>
    /// Retry a 5xx answer even though the request is not idempotent: the server failed rather than acted (a
    /// CreateMultipartUpload that did start an upload anyway leaves an empty one, which costs nothing; the AWS SDKs
    /// retry it the same way).
    /// </summary>
    public bool RetryServerErrors;

    /// <summary>First byte of a Range, or -1 for none.</summary>
    public long RangeStart;

    /// <summary>Last byte of a Range (inclusive), or -1 for open-ended.</summary>
    public long RangeEnd;

    public List<KeyValuePair<string, string>>? Headers;

    public ReadOnlyMemory<byte> Body;
    public Stream? BodyStream;

    /// <summary>An aws-chunked body (also <see cref="BodyStream"/>): signed with its mode's payload hash, and restarted
    /// from each attempt's signature.</summary>
    public AwsChunkedContent? Chunked;

    /// <summary>Content-Length of the body (memory or stream); -1 sends no Content-Length (bodiless methods).</summary>
    public long BodyLength;

    /// <summary>x-amz-content-sha256; null picks UNSIGNED-PAYLOAD / the empty hash / the body's hash per options.</summary>
    public string? PayloadHash;

    /// <summary>Build <see cref="Model.ObjectMetadata"/> from a 2xx head.</summary>
    public bool WantMetadata;

    /// <summary>The code of a bodiless 404 (HEAD): NoSuchKey or NoSuchBucket.</summary>
    public string? NotFoundCode;

    public static S3Call Create(string method, string? bucket, string? key, string? query, bool idempotent) => new()
    {
        Method = method,
        Bucket = bucket,
        Key = key,
        Query = query,
        Idempotent = idempotent,
        RangeStart = -1,
        RangeEnd = -1,
        BodyLength = -1,
    };
}
