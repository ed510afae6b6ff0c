using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// A bucket's object ownership (Get/PutBucketOwnershipControls, <c>?ownershipControls</c>): one Rule whose
/// ObjectOwnership is BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter.
/// </summary>
public sealed class OwnershipControls
{
    /// <summary>The rule's ObjectOwnership as sent; null when there is no single rule naming one.</summary>
    public string? ObjectOwnership { get; set; }

    /// <summary>How many Rule elements the document had (S3 takes exactly one).</summary>
    public int RuleCount { get; set; }

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("OwnershipControls"u8);
        w.WriteStartElement("Rule"u8);
        w.WriteOptionalElement("ObjectOwnership"u8, ObjectOwnership);
        w.WriteEndElement("Rule"u8);
        w.WriteEndElement("OwnershipControls"u8);
        w.Flush();
    }

    /// <summary>Reads a request or response body; never throws on malformed input.</summary>
    public static XmlReadResult<OwnershipControls> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "OwnershipControls", static reader =>
        {
            var result = new OwnershipControls();
            foreach (string name in reader.Children())
            {
                if (name != "Rule")
                {
                    reader.Skip();
                    continue;
                }
                result.RuleCount++;
                foreach (string inner in reader.Children())
                {
                    if (inner == "ObjectOwnership") result.ObjectOwnership = reader.ReadText().Trim();
                    else reader.Skip();
                }
            }

            return result;
        });
}
