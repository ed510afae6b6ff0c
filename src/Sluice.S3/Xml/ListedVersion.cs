namespace Sluice.S3.Xml;

/// <summary>One <c>Version</c> or <c>DeleteMarker</c> entry of a ListObjectVersions response.</summary>
public sealed class ListedVersion
{
    public string Key { get; set; } = string.Empty;

    /// <summary>The version id; <c>null</c> (the text) for a version written while versioning was never enabled.</summary>
    public string VersionId { get; set; } = "null";

    public bool IsLatest { get; set; }

    /// <summary>A delete marker (no ETag, size or storage class).</summary>
    public bool IsDeleteMarker { get; set; }

    public DateTimeOffset LastModified { get; set; }

    /// <summary>The ETag as S3 shows it, quotes included.</summary>
    public string ETag { get; set; } = string.Empty;

    public long Size { get; set; }

    public string? StorageClass { get; set; }

    public S3Owner? Owner { get; set; }

    public string? ChecksumAlgorithm { get; set; }

    public string? ChecksumType { get; set; }
}
