namespace Sluice.S3.Xml;

/// <summary>One <c>Contents</c> entry of a ListObjects (V1 or V2) response.</summary>
public sealed class ListedObject
{
    public string Key { get; set; } = string.Empty;

    public DateTimeOffset LastModified { get; set; }

    /// <summary>The ETag as S3 shows it, quotes included (<c>"fba9…328"</c>).</summary>
    public string ETag { get; set; } = string.Empty;

    public long Size { get; set; }

    public string? StorageClass { get; set; }

    /// <summary>Present when the listing was asked for owners (V2 <c>fetch-owner</c>; always in V1).</summary>
    public S3Owner? Owner { get; set; }

    /// <summary>Algorithm of the object's additional checksum, when it has one.</summary>
    public string? ChecksumAlgorithm { get; set; }

    /// <summary><c>COMPOSITE</c> or <c>FULL_OBJECT</c>, when the object has an additional checksum.</summary>
    public string? ChecksumType { get; set; }
}
