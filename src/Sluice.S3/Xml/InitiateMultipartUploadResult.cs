using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>The CreateMultipartUpload response body (<c>InitiateMultipartUploadResult</c>).</summary>
public sealed class InitiateMultipartUploadResult
{
    public string Bucket { get; set; } = string.Empty;

    public string Key { get; set; } = string.Empty;

    public string UploadId { get; set; } = string.Empty;

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("InitiateMultipartUploadResult"u8);
        w.WriteElement("Bucket"u8, Bucket);
        w.WriteElement("Key"u8, Key);
        w.WriteElement("UploadId"u8, UploadId);
        w.WriteEndElement("InitiateMultipartUploadResult"u8);
        w.Flush();
    }

    /// <summary>Reads the document; never throws on malformed input. UploadId is required.</summary>
    public static XmlReadResult<InitiateMultipartUploadResult> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "InitiateMultipartUploadResult", static reader =>
        {
            var result = new InitiateMultipartUploadResult();
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
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (result.UploadId.Length == 0)
            {
                XmlBodyReader.Fail("no UploadId");
            }

            return result;
        });
}
