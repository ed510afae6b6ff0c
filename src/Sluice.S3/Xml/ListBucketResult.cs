using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// The ListObjects response body (<c>ListBucketResult</c>), V2 (<c>list-type=2</c>) or V1 as chosen by
/// <see cref="IsVersion2"/>. Model fields hold decoded keys; with <see cref="EncodingType"/> = <c>url</c> the
/// writer URL-encodes Key, Prefix, Delimiter, StartAfter, Marker, NextMarker and CommonPrefixes/Prefix, and the
/// reader decodes them back.
/// </summary>
public sealed class ListBucketResult
{
    /// <summary>V2 writes KeyCount/ContinuationToken/StartAfter; V1 writes Marker/NextMarker.</summary>
    public bool IsVersion2 { get; set; } = true;

    public string Name { get; set; } = string.Empty;

    public string Prefix { get; set; } = string.Empty;

    /// <summary>Null or empty: not written (S3 omits an empty delimiter).</summary>
    public string? Delimiter { get; set; }

    public int MaxKeys { get; set; } = 1000;

    /// <summary>V2 KeyCount; when null the writer uses Contents + CommonPrefixes.</summary>
    public int? KeyCount { get; set; }

    public bool IsTruncated { get; set; }

    /// <summary><c>url</c> or null.</summary>
    public string? EncodingType { get; set; }

    public string? ContinuationToken { get; set; }

    public string? NextContinuationToken { get; set; }

    public string? StartAfter { get; set; }

    /// <summary>V1 Marker (S3 always echoes it in V1, empty when none was sent).</summary>
    public string? Marker { get; set; }

    public string? NextMarker { get; set; }

    public IList<ListedObject> Contents { get; } = new List<ListedObject>();

    public IList<string> CommonPrefixes { get; } = new List<string>();

    /// <summary>Writes the document, declaration included. Per key it allocates nothing.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        bool url = S3Xml.IsUrl(EncodingType);
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("ListBucketResult"u8);
        w.WriteElement("Name"u8, Name);
        w.WriteKeyElement("Prefix"u8, Prefix, url);
        if (IsVersion2)
        {
            w.WriteOptionalElement("ContinuationToken"u8, ContinuationToken);
            w.WriteOptionalElement("NextContinuationToken"u8, NextContinuationToken);
            if (StartAfter is not null)
            {
                w.WriteKeyElement("StartAfter"u8, StartAfter, url);
            }

            w.WriteElement("KeyCount"u8, KeyCount ?? (Contents.Count + CommonPrefixes.Count));
        }
        else
        {
            w.WriteKeyElement("Marker"u8, Marker ?? string.Empty, url);
            if (NextMarker is not null)
            {
                w.WriteKeyElement("NextMarker"u8, NextMarker, url);
            }
        }

        w.WriteElement("MaxKeys"u8, MaxKeys);
        if (!string.IsNullOrEmpty(Delimiter))
        {
            w.WriteKeyElement("Delimiter"u8, Delimiter, url);
        }

        w.WriteOptionalElement("EncodingType"u8, EncodingType);
        w.WriteElement("IsTruncated"u8, IsTruncated);

        // IList<T> indexing avoids the boxed enumerator of the interface's foreach.
        IList<ListedObject> contents = Contents;
        for (int i = 0; i < contents.Count; i++)
        {
            ListedObject item = contents[i];
            w.WriteStartElement("Contents"u8);
            w.WriteKeyElement("Key"u8, item.Key, url);
            w.WriteElement("LastModified"u8, item.LastModified);
            w.WriteElement("ETag"u8, item.ETag);
            w.WriteElement("Size"u8, item.Size);
            w.WriteOptionalElement("StorageClass"u8, item.StorageClass);
            item.Owner?.Write(ref w, "Owner"u8);
            w.WriteOptionalElement("ChecksumAlgorithm"u8, item.ChecksumAlgorithm);
            w.WriteOptionalElement("ChecksumType"u8, item.ChecksumType);
            w.WriteEndElement("Contents"u8);
        }

        CommonPrefixesXml.Write(ref w, CommonPrefixes, url);

        w.WriteEndElement("ListBucketResult"u8);
        w.Flush();
    }

    /// <summary>
    /// Reads the document; never throws on malformed input. Fields are URL-decoded when the document says
    /// <c>EncodingType=url</c>. <see cref="IsVersion2"/> is inferred: V1 documents carry Marker, V2 documents
    /// KeyCount or a continuation token or StartAfter.
    /// </summary>
    public static XmlReadResult<ListBucketResult> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "ListBucketResult", static reader =>
        {
            var result = new ListBucketResult { MaxKeys = 0 };
            bool sawMarker = false, sawV2 = false;
            foreach (string name in reader.Children())
            {
                switch (name)
                {
                    case "Name":
                        result.Name = reader.ReadText();
                        break;
                    case "Prefix":
                        result.Prefix = reader.ReadKey();
                        break;
                    case "Delimiter":
                        result.Delimiter = reader.ReadKey();
                        break;
                    case "MaxKeys":
                        result.MaxKeys = reader.ReadInt32();
                        break;
                    case "KeyCount":
                        result.KeyCount = reader.ReadInt32();
                        sawV2 = true;
                        break;
                    case "IsTruncated":
                        result.IsTruncated = reader.ReadBoolean();
                        break;
                    case "EncodingType":
                        result.EncodingType = reader.ReadText();
                        break;
                    case "ContinuationToken":
                        result.ContinuationToken = reader.ReadText();
                        sawV2 = true;
                        break;
                    case "NextContinuationToken":
                        result.NextContinuationToken = reader.ReadText();
                        sawV2 = true;
                        break;
                    case "StartAfter":
                        result.StartAfter = reader.ReadKey();
                        sawV2 = true;
                        break;
                    case "Marker":
                        result.Marker = reader.ReadKey();
                        sawMarker = true;
                        break;
                    case "NextMarker":
                        result.NextMarker = reader.ReadKey();
                        break;
                    case "Contents":
                        result.Contents.Add(ReadObject(reader));
                        break;
                    case "CommonPrefixes":
                        CommonPrefixesXml.Read(reader, result.CommonPrefixes);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            result.IsVersion2 = sawV2 || !sawMarker;
            if (S3Xml.IsUrl(result.EncodingType))
            {
                result.Prefix = XmlBodyReader.UrlDecode(result.Prefix);
                result.Delimiter = XmlBodyReader.UrlDecodeOptional(result.Delimiter);
                result.StartAfter = XmlBodyReader.UrlDecodeOptional(result.StartAfter);
                result.Marker = XmlBodyReader.UrlDecodeOptional(result.Marker);
                result.NextMarker = XmlBodyReader.UrlDecodeOptional(result.NextMarker);
                foreach (ListedObject item in result.Contents)
                {
                    item.Key = XmlBodyReader.UrlDecode(item.Key);
                }

                CommonPrefixesXml.UrlDecode(result.CommonPrefixes);
            }

            return result;
        });

    private static ListedObject ReadObject(XmlBodyReader reader)
    {
        var item = new ListedObject();
        bool hasKey = false;
        foreach (string name in reader.Children())
        {
            switch (name)
            {
                case "Key":
                    item.Key = reader.ReadKey();
                    hasKey = true;
                    break;
                case "LastModified":
                    item.LastModified = reader.ReadTimestamp();
                    break;
                case "ETag":
                    item.ETag = reader.ReadText();
                    break;
                case "Size":
                    item.Size = reader.ReadInt64();
                    break;
                case "StorageClass":
                    item.StorageClass = reader.ReadText();
                    break;
                case "Owner":
                    item.Owner = S3Owner.Read(reader);
                    break;
                case "ChecksumAlgorithm":
                    item.ChecksumAlgorithm = reader.ReadText();
                    break;
                case "ChecksumType":
                    item.ChecksumType = reader.ReadText();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (!hasKey)
        {
            XmlBodyReader.Fail("Contents without Key");
        }

        return item;
    }
}
