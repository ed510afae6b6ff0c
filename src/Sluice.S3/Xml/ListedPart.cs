namespace Sluice.S3.Xml;

/// <summary>One <c>Part</c> entry of a ListParts response.</summary>
public sealed class ListedPart
{
    public int PartNumber { get; set; }

    public DateTimeOffset LastModified { get; set; }

    public string ETag { get; set; } = string.Empty;

    public long Size { get; set; }

    public ObjectChecksums Checksums { get; } = new();
}
