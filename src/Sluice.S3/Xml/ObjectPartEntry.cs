namespace Sluice.S3.Xml;

/// <summary>A part in GetObjectAttributes: number, size and its checksum (no type: parts carry none).</summary>
public sealed class ObjectPartEntry
{
    public int PartNumber { get; set; }

    public long Size { get; set; }

    public ObjectChecksums Checksums { get; } = new();
}
