using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>The DeleteObjects response body (<c>DeleteResult</c>).</summary>
public sealed class DeleteResult
{
    public IList<DeletedObject> Deleted { get; } = new List<DeletedObject>();

    public IList<DeleteError> Errors { get; } = new List<DeleteError>();

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("DeleteResult"u8);
        foreach (DeletedObject item in Deleted)
        {
            w.WriteStartElement("Deleted"u8);
            w.WriteElement("Key"u8, item.Key);
            w.WriteOptionalElement("VersionId"u8, item.VersionId);
            if (item.DeleteMarker is bool marker)
            {
                w.WriteElement("DeleteMarker"u8, marker);
            }

            w.WriteOptionalElement("DeleteMarkerVersionId"u8, item.DeleteMarkerVersionId);
            w.WriteEndElement("Deleted"u8);
        }

        foreach (DeleteError error in Errors)
        {
            w.WriteStartElement("Error"u8);
            w.WriteElement("Key"u8, error.Key);
            w.WriteOptionalElement("VersionId"u8, error.VersionId);
            w.WriteElement("Code"u8, error.Code);
            w.WriteOptionalElement("Message"u8, error.Message);
            w.WriteEndElement("Error"u8);
        }

        w.WriteEndElement("DeleteResult"u8);
        w.Flush();
    }

    /// <summary>Reads the document; never throws on malformed input.</summary>
    public static XmlReadResult<DeleteResult> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "DeleteResult", static reader =>
        {
            var result = new DeleteResult();
            foreach (string name in reader.Children())
            {
                switch (name)
                {
                    case "Deleted":
                        result.Deleted.Add(ReadDeleted(reader));
                        break;
                    case "Error":
                        result.Errors.Add(ReadError(reader));
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            return result;
        });

    private static DeletedObject ReadDeleted(XmlBodyReader reader)
    {
        var item = new DeletedObject();
        foreach (string name in reader.Children())
        {
            switch (name)
            {
                case "Key":
                    item.Key = reader.ReadKey();
                    break;
                case "VersionId":
                    item.VersionId = reader.ReadText();
                    break;
                case "DeleteMarker":
                    item.DeleteMarker = reader.ReadBoolean();
                    break;
                case "DeleteMarkerVersionId":
                    item.DeleteMarkerVersionId = reader.ReadText();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return item;
    }

    private static DeleteError ReadError(XmlBodyReader reader)
    {
        var error = new DeleteError();
        foreach (string name in reader.Children())
        {
            switch (name)
            {
                case "Key":
                    error.Key = reader.ReadKey();
                    break;
                case "VersionId":
                    error.VersionId = reader.ReadText();
                    break;
                case "Code":
                    error.Code = reader.ReadText();
                    break;
                case "Message":
                    error.Message = reader.ReadText();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return error;
    }
}
