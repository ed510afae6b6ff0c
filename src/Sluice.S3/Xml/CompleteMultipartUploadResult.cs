using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>The CompleteMultipartUpload response body (<c>CompleteMultipartUploadResult</c>).</summary>
public sealed class CompleteMultipartUploadResult
{
    public string? Location { get; set; }

    public string Bucket { get; set; } = string.Empty;

    public string Key { get; set; } = string.Empty;

    /// <summary>The multipart ETag, quotes included (<c>"3858…11f-9"</c>).</summary>
    public string ETag { get; set; } = string.Empty;

    public ObjectChecksums Checksums { get; } = new();

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("CompleteMultipartUploadResult"u8);
        w.WriteOptionalElement("Location"u8, Location);
        w.WriteElement("Bucket"u8, Bucket);
        w.WriteElement("Key"u8, Key);
        w.WriteElement("ETag"u8, ETag);
        Checksums.Write(ref w);
        w.WriteEndElement("CompleteMultipartUploadResult"u8);
        w.Flush();
    }

    /// <summary>
    /// Reads the document; never throws on malformed input. S3 can answer 200 and still fail the completion
    /// with an <c>Error</c> body: that is a wrong root here, so callers check for Error first.
    /// </summary>
    public static XmlReadResult<CompleteMultipartUploadResult> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "CompleteMultipartUploadResult", static reader =>
        {
            var result = new CompleteMultipartUploadResult();
            foreach (string name in reader.Children())
            {
                switch (name)
                {
                    case "Location":
                        result.Location = reader.ReadText();
                        break;
                    case "Bucket":
                        result.Bucket = reader.ReadText();
                        break;
                    case "Key":
                        result.Key = reader.ReadKey();
                        break;
                    case "ETag":
                        result.ETag = reader.ReadText();
                        break;
                    default:
                        if (!result.Checksums.TryRead(name, reader))
                        {
                            reader.Skip();
                        }

                        break;
                }
            }

            return result;
        });
}
