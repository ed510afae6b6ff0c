using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// The ListMultipartUploads response body (<c>ListMultipartUploadsResult</c>). With
/// <see cref="EncodingType"/> = <c>url</c>, KeyMarker, NextKeyMarker, Prefix, Delimiter, Upload/Key and
/// CommonPrefixes/Prefix are URL-encoded on write and decoded on read (AWS ListMultipartUploads reference).
/// </summary>
public sealed class ListMultipartUploadsResult
{
    public string Bucket { get; set; } = string.Empty;

    public string KeyMarker { get; set; } = string.Empty;

    public string UploadIdMarker { get; set; } = string.Empty;

    public string? NextKeyMarker { get; set; }

    public string? NextUploadIdMarker { get; set; }

    public string? Delimiter { get; set; }

    public string Prefix { get; set; } = string.Empty;

    public string? EncodingType { get; set; }

    public int MaxUploads { get; set; } = 1000;

    public bool IsTruncated { get; set; }

    public IList<ListedUpload> Uploads { get; } = new List<ListedUpload>();

    public IList<string> CommonPrefixes { get; } = new List<string>();

    public void WriteTo(IBufferWriter<byte> output)
    {
        bool url = S3Xml.IsUrl(EncodingType);
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("ListMultipartUploadsResult"u8);
        w.WriteElement("Bucket"u8, Bucket);
        w.WriteKeyElement("KeyMarker"u8, KeyMarker, url);
        w.WriteElement("UploadIdMarker"u8, UploadIdMarker);
        if (NextKeyMarker is not null)
        {
            w.WriteKeyElement("NextKeyMarker"u8, NextKeyMarker, url);
        }

        w.WriteOptionalElement("NextUploadIdMarker"u8, NextUploadIdMarker);
        if (!string.IsNullOrEmpty(Delimiter))
        {
            w.WriteKeyElement("Delimiter"u8, Delimiter, url);
        }

        w.WriteKeyElement("Prefix"u8, Prefix, url);
        w.WriteOptionalElement("EncodingType"u8, EncodingType);
        w.WriteElement("MaxUploads"u8, MaxUploads);
        w.WriteElement("IsTruncated"u8, IsTruncated);
        foreach (ListedUpload upload in Uploads)
        {
            w.WriteStartElement("Upload"u8);
            w.WriteKeyElement("Key"u8, upload.Key, url);
            w.WriteElement("UploadId"u8, upload.UploadId);
            upload.Initiator?.Write(ref w, "Initiator"u8);
            upload.Owner?.Write(ref w, "Owner"u8);
            w.WriteOptionalElement("StorageClass"u8, upload.StorageClass);
            w.WriteElement("Initiated"u8, upload.Initiated);
            w.WriteOptionalElement("ChecksumAlgorithm"u8, upload.ChecksumAlgorithm);
            w.WriteOptionalElement("ChecksumType"u8, upload.ChecksumType);
            w.WriteEndElement("Upload"u8);
        }

        CommonPrefixesXml.Write(ref w, CommonPrefixes, url);

        w.WriteEndElement("ListMultipartUploadsResult"u8);
        w.Flush();
    }

    /// <summary>Reads the document; never throws on malformed input.</summary>
    public static XmlReadResult<ListMultipartUploadsResult> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "ListMultipartUploadsResult", static reader =>
        {
            var result = new ListMultipartUploadsResult { MaxUploads = 0 };
            foreach (string name in reader.Children())
            {
                switch (name)
                {
                    case "Bucket":
                        result.Bucket = reader.ReadText();
                        break;
                    case "KeyMarker":
                        result.KeyMarker = reader.ReadKey();
                        break;
                    case "UploadIdMarker":
                        result.UploadIdMarker = reader.ReadText();
                        break;
                    case "NextKeyMarker":
                        result.NextKeyMarker = reader.ReadKey();
                        break;
                    case "NextUploadIdMarker":
                        result.NextUploadIdMarker = reader.ReadText();
                        break;
                    case "Delimiter":
                        result.Delimiter = reader.ReadKey();
                        break;
                    case "Prefix":
                        result.Prefix = reader.ReadKey();
                        break;
                    case "EncodingType":
                        result.EncodingType = reader.ReadText();
                        break;
                    case "MaxUploads":
                        result.MaxUploads = reader.ReadInt32();
                        break;
                    case "IsTruncated":
                        result.IsTruncated = reader.ReadBoolean();
                        break;
                    case "Upload":
                        result.Uploads.Add(ReadUpload(reader));
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
                result.KeyMarker = XmlBodyReader.UrlDecode(result.KeyMarker);
                result.NextKeyMarker = XmlBodyReader.UrlDecodeOptional(result.NextKeyMarker);
                result.Delimiter = XmlBodyReader.UrlDecodeOptional(result.Delimiter);
                result.Prefix = XmlBodyReader.UrlDecode(result.Prefix);
                foreach (ListedUpload upload in result.Uploads)
                {
                    upload.Key = XmlBodyReader.UrlDecode(upload.Key);
                }

                CommonPrefixesXml.UrlDecode(result.CommonPrefixes);
            }

            return result;
        });

    private static ListedUpload ReadUpload(XmlBodyReader reader)
    {
        var upload = new ListedUpload();
        foreach (string name in reader.Children())
        {
            switch (name)
            {
                case "Key":
                    upload.Key = reader.ReadKey();
                    break;
                case "UploadId":
                    upload.UploadId = reader.ReadText();
                    break;
                case "Initiator":
                    upload.Initiator = S3Owner.Read(reader);
                    break;
                case "Owner":
                    upload.Owner = S3Owner.Read(reader);
                    break;
                case "StorageClass":
                    upload.StorageClass = reader.ReadText();
                    break;
                case "Initiated":
                    upload.Initiated = reader.ReadTimestamp();
                    break;
                case "ChecksumAlgorithm":
                    upload.ChecksumAlgorithm = reader.ReadText();
                    break;
                case "ChecksumType":
                    upload.ChecksumType = reader.ReadText();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return upload;
    }
}
