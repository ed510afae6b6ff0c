using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// The GetBucketLocation response body: a single <c>LocationConstraint</c> element whose text is the region,
/// empty (written as <c>&lt;LocationConstraint xmlns="…"/&gt;</c>) for us-east-1.
/// </summary>
public sealed class LocationConstraint
{
    /// <summary>The region; null or empty means us-east-1.</summary>
    public string? Region { get; set; }

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        if (string.IsNullOrEmpty(Region))
        {
            w.WriteRaw("<LocationConstraint xmlns=\""u8);
            w.WriteRaw(S3Xml.NamespaceUtf8);
            w.WriteRaw("\"/>"u8);
        }
        else
        {
            w.WriteRootStart("LocationConstraint"u8);
            w.WriteText(Region);
            w.WriteEndElement("LocationConstraint"u8);
        }

        w.Flush();
    }

    /// <summary>Reads the document; never throws on malformed input.</summary>
    public static XmlReadResult<LocationConstraint> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "LocationConstraint", static reader =>
        {
            string region = reader.ReadText();
            return new LocationConstraint { Region = region.Length == 0 ? null : region };
        });
}
