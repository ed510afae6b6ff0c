using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// The GetObjectAttributes response body (root <c>GetObjectAttributesResponse</c>): only the attributes asked for in
/// <c>x-amz-object-attributes</c> are set. The ETag is written without quotes, as S3 does in this response.
/// </summary>
public sealed class GetObjectAttributesResult
{
    /// <summary>The ETag without its quotes; null when not asked for.</summary>
    public string? ETag { get; set; }

    /// <summary>The object's checksum and its type; null (or empty) when not asked for or when it has none.</summary>
    public ObjectChecksums? Checksum { get; set; }

    /// <summary>The part page of a multipart object; null when not asked for or for a single-part object.</summary>
    public ObjectPartsPage? ObjectParts { get; set; }

    public string? StorageClass { get; set; }

    public long? ObjectSize { get; set; }

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("GetObjectAttributesResponse"u8);
        w.WriteOptionalElement("ETag"u8, ETag);
        if (Checksum is { IsEmpty: false } checksum)
        {
            w.WriteStartElement("Checksum"u8);
            checksum.Write(ref w);
            w.WriteEndElement("Checksum"u8);
        }

        if (ObjectParts is { } parts)
        {
            w.WriteStartElement("ObjectParts"u8);
            w.WriteElement("IsTruncated"u8, parts.IsTruncated);
            w.WriteElement("MaxParts"u8, parts.MaxParts);
            if (parts.IsTruncated)
            {
                w.WriteElement("NextPartNumberMarker"u8, parts.NextPartNumberMarker);
            }

            w.WriteElement("PartNumberMarker"u8, parts.PartNumberMarker);
            foreach (ObjectPartEntry part in parts.Parts)
            {
                w.WriteStartElement("Part"u8);
                part.Checksums.Write(ref w);
                w.WriteElement("PartNumber"u8, part.PartNumber);
                w.WriteElement("Size"u8, part.Size);
                w.WriteEndElement("Part"u8);
            }

            w.WriteElement("PartsCount"u8, parts.PartsCount);
            w.WriteEndElement("ObjectParts"u8);
        }

        w.WriteOptionalElement("StorageClass"u8, StorageClass);
        if (ObjectSize is { } size)
        {
            w.WriteElement("ObjectSize"u8, size);
        }

        w.WriteEndElement("GetObjectAttributesResponse"u8);
        w.Flush();
    }
}
