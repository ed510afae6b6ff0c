namespace Sluice.S3.Xml;

/// <summary>One <c>Bucket</c> entry of a ListBuckets response.</summary>
public sealed class ListedBucket
{
    public string Name { get; set; } = string.Empty;

    public DateTimeOffset CreationDate { get; set; }

    /// <summary>Region of the bucket (paginated ListBuckets responses carry it).</summary>
    public string? BucketRegion { get; set; }
}
