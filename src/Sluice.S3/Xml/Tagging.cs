using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// The tagging document of Get/PutObjectTagging and Get/PutBucketTagging: <c>Tagging/TagSet/Tag(Key, Value)</c>.
/// Reading checks only the document's shape (a Tag needs a Key and a Value: MalformedXML otherwise); the tag rules
/// (count, lengths, characters) are <see cref="Tagging.TagRules"/>'.
/// </summary>
public sealed class Tagging
{
    public IList<KeyValuePair<string, string>> TagSet { get; } = new List<KeyValuePair<string, string>>();

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("Tagging"u8);
        if (TagSet.Count == 0)
        {
            w.WriteRaw("<TagSet/>"u8);
        }
        else
        {
            w.WriteStartElement("TagSet"u8);
            foreach (var (key, value) in TagSet)
            {
                w.WriteStartElement("Tag"u8);
                w.WriteElement("Key"u8, key);
                w.WriteElement("Value"u8, value);
                w.WriteEndElement("Tag"u8);
            }

            w.WriteEndElement("TagSet"u8);
        }

        w.WriteEndElement("Tagging"u8);
        w.Flush();
    }

    /// <summary>Reads a request body; never throws on malformed input.</summary>
    public static XmlReadResult<Tagging> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "Tagging", static reader =>
        {
            var result = new Tagging();
            bool hasTagSet = false;
            foreach (string name in reader.Children())
            {
                if (name == "TagSet")
                {
                    hasTagSet = true;
                    foreach (string child in reader.Children())
                    {
                        if (child == "Tag")
                        {
                            result.TagSet.Add(ReadTag(reader));
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            if (!hasTagSet)
            {
                XmlBodyReader.Fail("Tagging without TagSet");
            }

            return result;
        });

    private static KeyValuePair<string, string> ReadTag(XmlBodyReader reader)
    {
        string? key = null, value = null;
        foreach (string name in reader.Children())
        {
            switch (name)
            {
                case "Key":
                    key = reader.ReadKey();
                    break;
                case "Value":
                    value = reader.ReadKey();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (key is null || value is null)
        {
            XmlBodyReader.Fail("Tag without Key or Value");
        }

        return new(key, value);
    }
}
