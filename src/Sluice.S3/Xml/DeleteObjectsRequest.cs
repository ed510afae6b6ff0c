using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// The DeleteObjects request body (root <c>Delete</c>). The reader enforces 1 to
/// <see cref="S3Xml.MaxDeleteObjects"/> objects, each with a Key, as S3 does (MalformedXML otherwise).
/// </summary>
public sealed class DeleteObjectsRequest
{
    /// <summary>Quiet mode: the result lists only failures.</summary>
    public bool Quiet { get; set; }

    public IList<ObjectIdentifier> Objects { get; } = new List<ObjectIdentifier>();

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("Delete"u8);
        if (Quiet)
        {
            w.WriteElement("Quiet"u8, true);
        }

        foreach (ObjectIdentifier item in Objects)
        {
            w.WriteStartElement("Object"u8);
            w.WriteElement("Key"u8, item.Key);
            w.WriteOptionalElement("VersionId"u8, item.VersionId);
            w.WriteOptionalElement("ETag"u8, item.ETag);
            if (item.LastModifiedTime is { } modified)
            {
                w.WriteElement("LastModifiedTime"u8, modified);
            }

            if (item.Size is { } size)
            {
                w.WriteElement("Size"u8, size);
            }
            w.WriteEndElement("Object"u8);
        }

        w.WriteEndElement("Delete"u8);
        w.Flush();
    }

    /// <summary>Reads the request body; never throws on malformed input.</summary>
    public static XmlReadResult<DeleteObjectsRequest> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "Delete", static reader =>
        {
            var result = new DeleteObjectsRequest();
            foreach (string name in reader.Children())
            {
                switch (name)
                {
                    case "Quiet":
                        result.Quiet = reader.ReadBoolean();
                        break;
                    case "Object":
                        if (result.Objects.Count == S3Xml.MaxDeleteObjects)
                        {
                            XmlBodyReader.Fail($"more than {S3Xml.MaxDeleteObjects} objects");
                        }

                        result.Objects.Add(ReadObject(reader));
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (result.Objects.Count == 0)
            {
                XmlBodyReader.Fail("no Object");
            }

            return result;
        });

    private static ObjectIdentifier ReadObject(XmlBodyReader reader)
    {
        var item = new ObjectIdentifier();
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
                case "ETag":
                    item.ETag = reader.ReadText();
                    break;
                case "LastModifiedTime":
                    item.LastModifiedTime = reader.ReadTimestamp();
                    break;
                case "Size":
                    item.Size = reader.ReadInt64();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (!hasKey)
        {
            XmlBodyReader.Fail("Object without Key");
        }

        return item;
    }
}
