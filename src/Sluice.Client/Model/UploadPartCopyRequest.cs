namespace Sluice.Client.Model;

/// <summary>An UploadPartCopy request: a part copied server-side from (a range of) another object.</summary>
public sealed record UploadPartCopyRequest(string SourceBucket, string SourceKey, string Bucket, string Key,
    string UploadId, int PartNumber)
{
    /// <summary>First byte of the source range (x-amz-copy-source-range); null copies the whole source.</summary>
    public long? SourceRangeStart { get; init; }

    public long? SourceRangeEnd { get; init; }

    public string? SourceVersionId { get; init; }

    public ObjectConditions? SourceConditions { get; init; }

    /// <summary>The SSE-C key the upload was created with.</summary>
    public SseCustomerKey? CustomerKey { get; init; }

    /// <summary>The SSE-C key of the source object.</summary>
    public SseCustomerKey? SourceCustomerKey { get; init; }
}
