namespace Sluice.S3.Xml;

/// <summary>An <c>Owner</c> or <c>Initiator</c> element: canonical ID and optional display name.</summary>
public sealed class S3Owner
{
    /// <summary>Canonical user ID.</summary>
    public string? Id { get; set; }

    /// <summary>Display name (S3 is phasing it out; optional).</summary>
    public string? DisplayName { get; set; }

    internal void Write(ref Utf8XmlWriter writer, ReadOnlySpan<byte> element)
    {
        writer.WriteStartElement(element);
        writer.WriteOptionalElement("ID"u8, Id);
        writer.WriteOptionalElement("DisplayName"u8, DisplayName);
        writer.WriteEndElement(element);
    }

    internal static S3Owner Read(XmlBodyReader reader)
    {
        var owner = new S3Owner();
        foreach (string name in reader.Children())
        {
            switch (name)
            {
                case "ID":
                    owner.Id = reader.ReadText();
                    break;
                case "DisplayName":
                    owner.DisplayName = reader.ReadText();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return owner;
    }
}
