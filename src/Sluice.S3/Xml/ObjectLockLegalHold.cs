using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>One version's legal hold (Get/PutObjectLegalHold, <c>?legal-hold</c>): <see cref="Status"/> ON or OFF.</summary>
public sealed class ObjectLockLegalHold
{
    /// <summary><c>ON</c> or <c>OFF</c> as sent; null when absent.</summary>
    public string? Status { get; set; }

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("LegalHold"u8);
        w.WriteOptionalElement("Status"u8, Status);
        w.WriteEndElement("LegalHold"u8);
        w.Flush();
    }

    /// <summary>Reads a request or response body; never throws on malformed input.</summary>
    public static XmlReadResult<ObjectLockLegalHold> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "LegalHold", static reader =>
        {
            var result = new ObjectLockLegalHold();
            foreach (string name in reader.Children())
            {
                if (name == "Status")
                {
                    result.Status = reader.ReadText();
                }
                else
                {
                    reader.Skip();
                }
            }

            return result;
        });
}
