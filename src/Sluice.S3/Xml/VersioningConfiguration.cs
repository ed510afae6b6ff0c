using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// The GetBucketVersioning response body (<c>VersioningConfiguration</c>): <see cref="Status"/> <c>Enabled</c> or
/// <c>Suspended</c>, and <see cref="MfaDelete"/>; both absent for a bucket whose versioning was never enabled.
/// </summary>
public sealed class VersioningConfiguration
{
    /// <summary><c>Enabled</c>, <c>Suspended</c>, or null (never enabled: the element is left out).</summary>
    public string? Status { get; set; }

    /// <summary><c>Enabled</c>, <c>Disabled</c>, or null (left out).</summary>
    public string? MfaDelete { get; set; }

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("VersioningConfiguration"u8);
        w.WriteOptionalElement("Status"u8, Status);
        w.WriteOptionalElement("MfaDelete"u8, MfaDelete);
        w.WriteEndElement("VersioningConfiguration"u8);
        w.Flush();
    }

    /// <summary>Reads a GetBucketVersioning response or a PutBucketVersioning body; never throws on malformed input.</summary>
    public static XmlReadResult<VersioningConfiguration> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "VersioningConfiguration", static reader =>
        {
            var result = new VersioningConfiguration();
            foreach (string name in reader.Children())
            {
                switch (name)
                {
                    case "Status":
                        result.Status = reader.ReadText();
                        break;
                    case "MfaDelete":
                        result.MfaDelete = reader.ReadText();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            return result;
        });
}
