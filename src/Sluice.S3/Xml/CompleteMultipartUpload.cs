using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// The CompleteMultipartUpload request body. The reader enforces the schema S3 validates against: at least one
/// and at most <see cref="S3Xml.MaxCompleteParts"/> parts, each with PartNumber and ETag. Part order and the
/// parts' existence are for the server to check (InvalidPartOrder, InvalidPart).
/// </summary>
public sealed class CompleteMultipartUpload
{
    public IList<CompletedPart> Parts { get; } = new List<CompletedPart>();

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("CompleteMultipartUpload"u8);
        foreach (CompletedPart part in Parts)
        {
            w.WriteStartElement("Part"u8);
            w.WriteElement("PartNumber"u8, part.PartNumber);
            w.WriteElement("ETag"u8, part.ETag);
            part.Checksums.Write(ref w);
            w.WriteEndElement("Part"u8);
        }

        w.WriteEndElement("CompleteMultipartUpload"u8);
        w.Flush();
    }

    /// <summary>Reads the request body; never throws on malformed input.</summary>
    public static XmlReadResult<CompleteMultipartUpload> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "CompleteMultipartUpload", static reader =>
        {
            var result = new CompleteMultipartUpload();
            foreach (string name in reader.Children())
            {
                if (name != "Part")
                {
                    reader.Skip();
                    continue;
                }

                if (result.Parts.Count == S3Xml.MaxCompleteParts)
                {
                    XmlBodyReader.Fail($"more than {S3Xml.MaxCompleteParts} parts");
                }

                result.Parts.Add(ReadPart(reader));
            }

            if (result.Parts.Count == 0)
            {
                XmlBodyReader.Fail("no Part");
            }

            return result;
        });

    private static CompletedPart ReadPart(XmlBodyReader reader)
    {
        var part = new CompletedPart();
        bool hasNumber = false, hasETag = false;
        foreach (string name in reader.Children())
        {
            switch (name)
            {
                case "PartNumber":
                    part.PartNumber = reader.ReadInt32();
                    hasNumber = true;
                    break;
                case "ETag":
                    part.ETag = reader.ReadText();
                    hasETag = true;
                    break;
                default:
                    if (!part.Checksums.TryRead(name, reader))
                    {
                        reader.Skip();
                    }

                    break;
            }
        }

        if (!hasNumber || !hasETag)
        {
            XmlBodyReader.Fail("Part without PartNumber or ETag");
        }

        return part;
    }
}
