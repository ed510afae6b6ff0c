namespace Sluice.Client.Model;

/// <summary>A CopyObject request (server-side copy, up to 5 GiB).</summary>
public sealed record CopyObjectRequest(string SourceBucket, string SourceKey, string Bucket, string Key)
{
    public string? SourceVersionId { get; init; }

    /// <summary>Preconditions on the source (x-amz-copy-source-if-*).</summary>
    public ObjectConditions? SourceConditions { get; init; }

    /// <summary>True: x-amz-metadata-directive REPLACE with <see cref="Metadata"/> and the content headers given here;
    /// false: COPY the source's metadata.</summary>
    public bool ReplaceMetadata { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public string? ContentType { get; init; }

    public string? CacheControl { get; init; }

    public string? ContentDisposition { get; init; }

    public string? ContentEncoding { get; init; }

    public string? StorageClass { get; init; }

    /// <summary>Preconditions on the destination (e.g. IfNoneMatch = "*").</summary>
    public ObjectConditions? Conditions { get; init; }
}
