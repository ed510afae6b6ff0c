using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// The ListParts response body (<c>ListPartsResult</c>). ListParts has no <c>encoding-type</c> parameter in
/// the S3 API, so its Key is always XML-escaped text.
/// </summary>
public sealed class ListPartsResult
{
    public string Bucket { get; set; } = string.Empty;

    public string Key { get; set; } = string.Empty;

    public string UploadId { get; set; } = string.Empty;

    public S3Owner? Initiator { get; set; }

    public S3Owner? Owner { get; set; }

    public string? StorageClass { get; set; }

    public int PartNumberMarker { get; set; }

    public int? NextPartNumberMarker { get; set; }

    public int MaxParts { get; set; } = 1000;

    public bool IsTruncated { get; set; }

    public string? ChecksumAlgorithm { get; set; }

    public string? ChecksumType { get; set; }

    public IList<ListedPart> Parts { get; } = new List<ListedPart>();

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("ListPartsResult"u8);
        w.WriteElement("Bucket"u8, Bucket);
        w.WriteElement("Key"u8, Key);
        w.WriteElement("UploadId"u8, UploadId);
        Initiator?.Write(ref w, "Initiator"u8);
        Owner?.Write(ref w, "Owner"u8);
        w.WriteOptionalElement("StorageClass"u8, StorageClass);
        w.WriteElement("PartNumberMarker"u8, PartNumberMarker);
        if (NextPartNumberMarker is int next)
        {
            w.WriteElement("NextPartNumberMarker"u8, next);
        }

        w.WriteElement("MaxParts"u8, MaxParts);
        w.WriteElement("IsTruncated"u8, IsTruncated);
        foreach (ListedPart part in Parts)
        {
            w.WriteStartElement("Part"u8);
            w.WriteElement("PartNumber"u8, part.PartNumber);
            w.WriteElement("LastModified"u8, part.LastModified);
            w.WriteElement("ETag"u8, part.ETag);
            w.WriteElement("Size"u8, part.Size);
            part.Checksums.Write(ref w);
            w.WriteEndElement("Part"u8);
        }

        w.WriteOptionalElement("ChecksumAlgorithm"u8, ChecksumAlgorithm);
        w.WriteOptionalElement("ChecksumType"u8, ChecksumType);
        w.WriteEndElement("ListPartsResult"u8);
        w.Flush();
    }

    /// <summary>Reads the document; never throws on malformed input.</summary>
    public static XmlReadResult<ListPartsResult> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "ListPartsResult", static reader =>
        {
            var result = new ListPartsResult();
            foreach (string name in reader.Children())
            {
                switch (name)
                {
                    case "Bucket":
                        result.Bucket = reader.ReadText();
                        break;
                    case "Key":
                        result.Key = reader.ReadKey();
                        break;
                    case "UploadId":
                        result.UploadId = reader.ReadText();
                        break;
                    case "Initiator":
                        result.Initiator = S3Owner.Read(reader);
                        break;
                    case "Owner":
                        result.Owner = S3Owner.Read(reader);
                        break;
                    case "StorageClass":
                        result.StorageClass = reader.ReadText();
                        break;
                    case "PartNumberMarker":
                        result.PartNumberMarker = reader.ReadInt32();
                        break;
                    case "NextPartNumberMarker":
                        result.NextPartNumberMarker = reader.ReadInt32();
                        break;
                    case "MaxParts":
                        result.MaxParts = reader.ReadInt32();
                        break;
                    case "IsTruncated":
                        result.IsTruncated = reader.ReadBoolean();
                        break;
                    case "ChecksumAlgorithm":
                        result.ChecksumAlgorithm = reader.ReadText();
                        break;
                    case "ChecksumType":
                        result.ChecksumType = reader.ReadText();
                        break;
                    case "Part":
                        if (result.Parts.Count == S3Xml.MaxCompleteParts)
                        {
                            XmlBodyReader.Fail($"more than {S3Xml.MaxCompleteParts} parts");
                        }

                        result.Parts.Add(ReadPart(reader));
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            return result;
        });

    private static ListedPart ReadPart(XmlBodyReader reader)
    {
        var part = new ListedPart();
        foreach (string name in reader.Children())
        {
            switch (name)
            {
                case "PartNumber":
                    part.PartNumber = reader.ReadInt32();
                    break;
                case "LastModified":
                    part.LastModified = reader.ReadTimestamp();
                    break;
                case "ETag":
                    part.ETag = reader.ReadText();
                    break;
                case "Size":
                    part.Size = reader.ReadInt64();
                    break;
                default:
                    if (!part.Checksums.TryRead(name, reader))
                    {
                        reader.Skip();
                    }

                    break;
            }
        }

        return part;
    }
}
