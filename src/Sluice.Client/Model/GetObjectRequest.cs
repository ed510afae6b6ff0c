namespace Sluice.Client.Model;

/// <summary>A GetObject (or HeadObject) request: the key, an optional byte range, preconditions and overrides.</summary>
public sealed record GetObjectRequest(string Bucket, string Key)
{
    /// <summary>First byte of the range to read (inclusive); null reads from the start.</summary>
    public long? RangeStart { get; init; }

    /// <summary>Last byte of the range (inclusive); null reads to the end.</summary>
    public long? RangeEnd { get; init; }

    public ObjectConditions? Conditions { get; init; }

    public string? VersionId { get; init; }

    /// <summary>Read one part of an object completed from a multipart upload (partNumber=N).</summary>
    public int? PartNumber { get; init; }

    /// <summary>Send x-amz-checksum-mode: ENABLED, so the response carries the stored checksums.</summary>
    public bool ChecksumMode { get; init; }

    /// <summary>The key an SSE-C object was written with: reading it (GET or HEAD) needs it.</summary>
    public SseCustomerKey? CustomerKey { get; init; }

    /// <summary>response-content-type: the Content-Type the server should answer with.</summary>
    public string? ResponseContentType { get; init; }

    public string? ResponseContentDisposition { get; init; }

    public string? ResponseContentEncoding { get; init; }

    public string? ResponseContentLanguage { get; init; }

    public string? ResponseCacheControl { get; init; }

    public string? ResponseExpires { get; init; }

    /// <summary>A request for bytes [first, last] of a key.</summary>
    public static GetObjectRequest ForRange(string bucket, string key, long first, long last) =>
        new(bucket, key) { RangeStart = first, RangeEnd = last };
}
