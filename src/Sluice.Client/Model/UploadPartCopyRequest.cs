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
}
