using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// The ListObjectVersions response body (<c>ListVersionsResult</c>): versions and delete markers in key order (newest
/// first within a key), common prefixes, and the key / version-id markers to continue from. With
/// <see cref="EncodingType"/> = <c>url</c> the writer URL-encodes Key, Prefix, Delimiter, KeyMarker, NextKeyMarker and
/// CommonPrefixes/Prefix.
/// </summary>
public sealed class ListVersionsResult
{
    public string Name { get; set; } = string.Empty;

    public string Prefix { get; set; } = string.Empty;

    /// <summary>The key-marker as sent (S3 echoes it, empty when none was sent).</summary>
    public string KeyMarker { get; set; } = string.Empty;

    /// <summary>The version-id-marker as sent (S3 echoes it, empty when none was sent).</summary>
    public string VersionIdMarker { get; set; } = string.Empty;

    /// <summary>Set when truncated: the key (or common prefix) the next page starts after.</summary>
    public string? NextKeyMarker { get; set; }

    /// <summary>Set when truncated after a version: its id.</summary>
    public string? NextVersionIdMarker { get; set; }

    /// <summary>Null or empty: not written.</summary>
    public string? Delimiter { get; set; }

    public int MaxKeys { get; set; } = 1000;

    public bool IsTruncated { get; set; }

    /// <summary><c>url</c> or null.</summary>
    public string? EncodingType { get; set; }

    /// <summary>Versions and delete markers, in the order written.</summary>
    public IList<ListedVersion> Versions { get; } = new List<ListedVersion>();

    public IList<string> CommonPrefixes { get; } = new List<string>();

    /// <summary>Writes the document, declaration included.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        bool url = S3Xml.IsUrl(EncodingType);
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("ListVersionsResult"u8);
        w.WriteElement("Name"u8, Name);
        w.WriteKeyElement("Prefix"u8, Prefix, url);
        w.WriteKeyElement("KeyMarker"u8, KeyMarker, url);
        w.WriteElement("VersionIdMarker"u8, VersionIdMarker);
        if (NextKeyMarker is not null)
        {
            w.WriteKeyElement("NextKeyMarker"u8, NextKeyMarker, url);
        }

        w.WriteOptionalElement("NextVersionIdMarker"u8, NextVersionIdMarker);
        w.WriteElement("MaxKeys"u8, MaxKeys);
        if (!string.IsNullOrEmpty(Delimiter))
        {
            w.WriteKeyElement("Delimiter"u8, Delimiter, url);
        }

        w.WriteOptionalElement("EncodingType"u8, EncodingType);
        w.WriteElement("IsTruncated"u8, IsTruncated);
        IList<ListedVersion> versions = Versions;
        for (int i = 0; i < versions.Count; i++)
        {
            ListedVersion v = versions[i];
            ReadOnlySpan<byte> element = v.IsDeleteMarker ? "DeleteMarker"u8 : "Version"u8;
            w.WriteStartElement(element);
            w.WriteKeyElement("Key"u8, v.Key, url);
            w.WriteElement("VersionId"u8, v.VersionId);
            w.WriteElement("IsLatest"u8, v.IsLatest);
            w.WriteElement("LastModified"u8, v.LastModified);
            if (!v.IsDeleteMarker)
            {
                w.WriteElement("ETag"u8, v.ETag);
                w.WriteElement("Size"u8, v.Size);
                w.WriteOptionalElement("StorageClass"u8, v.StorageClass);
            }

            v.Owner?.Write(ref w, "Owner"u8);
            if (!v.IsDeleteMarker)
            {
                w.WriteOptionalElement("ChecksumAlgorithm"u8, v.ChecksumAlgorithm);
                w.WriteOptionalElement("ChecksumType"u8, v.ChecksumType);
            }

            w.WriteEndElement(element);
        }

        CommonPrefixesXml.Write(ref w, CommonPrefixes, url);
        w.WriteEndElement("ListVersionsResult"u8);
        w.Flush();
    }

    /// <summary>Reads a response (versions and delete markers in document order, url-decoded when the response says
    /// so); never throws on malformed input.</summary>
    public static XmlReadResult<ListVersionsResult> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "ListVersionsResult", static reader =>
        {
            var result = new ListVersionsResult { MaxKeys = 0 };
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
                    case "KeyMarker":
                        result.KeyMarker = reader.ReadKey();
                        break;
                    case "VersionIdMarker":
                        result.VersionIdMarker = reader.ReadText();
                        break;
                    case "NextKeyMarker":
                        result.NextKeyMarker = reader.ReadKey();
                        break;
                    case "NextVersionIdMarker":
                        result.NextVersionIdMarker = reader.ReadText();
                        break;
                    case "MaxKeys":
                        result.MaxKeys = reader.ReadInt32();
                        break;
                    case "Delimiter":
                        result.Delimiter = reader.ReadKey();
                        break;
                    case "EncodingType":
                        result.EncodingType = reader.ReadText();
                        break;
                    case "IsTruncated":
                        result.IsTruncated = reader.ReadBoolean();
                        break;
                    case "Version":
                        result.Versions.Add(ReadVersion(reader, deleteMarker: false));
                        break;
                    case "DeleteMarker":
                        result.Versions.Add(ReadVersion(reader, deleteMarker: true));
                        break;
                    case "CommonPrefixes":
                        CommonPrefixesXml.Read(reader, result.CommonPrefixes);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (S3Xml.IsUrl(result.EncodingType))
            {
                result.Prefix = XmlBodyReader.UrlDecode(result.Prefix);
                result.KeyMarker = XmlBodyReader.UrlDecode(result.KeyMarker);
                result.NextKeyMarker = XmlBodyReader.UrlDecodeOptional(result.NextKeyMarker);
                result.Delimiter = XmlBodyReader.UrlDecodeOptional(result.Delimiter);
                foreach (ListedVersion v in result.Versions)
                {
                    v.Key = XmlBodyReader.UrlDecode(v.Key);
                }

                CommonPrefixesXml.UrlDecode(result.CommonPrefixes);
            }

            return result;
        });

    private static ListedVersion ReadVersion(XmlBodyReader reader, bool deleteMarker)
    {
        var item = new ListedVersion { IsDeleteMarker = deleteMarker };
        bool hasKey = false;
        foreach (string name in reader.Children())
        {
            switch (name)
            {
                case "Key":
                    item.Key = reader.ReadKey();
                    hasKey = true;
                    break;
                case "VersionId":
                    item.VersionId = reader.ReadText();
                    break;
                case "IsLatest":
                    item.IsLatest = reader.ReadBoolean();
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
            XmlBodyReader.Fail(deleteMarker ? "DeleteMarker without Key" : "Version without Key");
        }

        return item;
    }
}
