using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// One version's retention (Get/PutObjectRetention, <c>?retention</c>): <see cref="Mode"/> (<c>GOVERNANCE</c> or
/// <c>COMPLIANCE</c>) until <see cref="RetainUntilDate"/>. A body with neither removes a GOVERNANCE retention (with
/// the bypass header).
/// </summary>
public sealed class ObjectLockRetention
{
    /// <summary>The mode as sent; null when absent.</summary>
    public string? Mode { get; set; }

    /// <summary>The retain-until date; null when absent.</summary>
    public DateTimeOffset? RetainUntilDate { get; set; }

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("Retention"u8);
        w.WriteOptionalElement("Mode"u8, Mode);
        if (RetainUntilDate is { } until) w.WriteElement("RetainUntilDate"u8, until);
        w.WriteEndElement("Retention"u8);
        w.Flush();
    }

    /// <summary>Reads a request or response body; never throws on malformed input (an unreadable date included).</summary>
    public static XmlReadResult<ObjectLockRetention> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "Retention", static reader =>
        {
            var result = new ObjectLockRetention();
            foreach (string name in reader.Children())
            {
                switch (name)
                {
                    case "Mode":
                        result.Mode = reader.ReadText();
                        break;
                    case "RetainUntilDate":
                        if (!S3Timestamp.TryParse(reader.ReadText(), out var until))
                        {
                            XmlBodyReader.Fail("RetainUntilDate is not an ISO 8601 date");
                        }
                        result.RetainUntilDate = until;
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            return result;
        });
}
