using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>CopyObjectResult and CopyPartResult share one shape; this writes and reads it.</summary>
internal static class CopyResultXml
{
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> root, DateTimeOffset lastModified, string eTag, ObjectChecksums checksums)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart(root);
        w.WriteElement("LastModified"u8, lastModified);
        w.WriteElement("ETag"u8, eTag);
        checksums.Write(ref w);
        w.WriteEndElement(root);
        w.Flush();
    }

    public static (DateTimeOffset LastModified, string ETag) Read(XmlBodyReader reader, ObjectChecksums checksums)
    {
        DateTimeOffset lastModified = default;
        string? eTag = null;
        foreach (string name in reader.Children())
        {
            switch (name)
            {
                case "LastModified":
                    lastModified = reader.ReadTimestamp();
                    break;
                case "ETag":
                    eTag = reader.ReadText();
                    break;
                default:
                    if (!checksums.TryRead(name, reader))
                    {
                        reader.Skip();
                    }

                    break;
            }
        }

        if (eTag is null)
        {
            XmlBodyReader.Fail("no ETag");
        }

        return (lastModified, eTag);
    }
}
