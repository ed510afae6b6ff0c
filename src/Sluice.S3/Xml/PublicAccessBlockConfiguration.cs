using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// A bucket's public access block (Get/PutPublicAccessBlock, <c>?publicAccessBlock</c>): four switches, each false
/// when its element is absent, as S3 reads them.
/// </summary>
public sealed class PublicAccessBlockConfiguration
{
    /// <summary>Refuse requests that set a public ACL.</summary>
    public bool BlockPublicAcls { get; set; }

    /// <summary>Ignore public grants in existing ACLs when judging requests.</summary>
    public bool IgnorePublicAcls { get; set; }

    /// <summary>Refuse PutBucketPolicy with a public policy.</summary>
    public bool BlockPublicPolicy { get; set; }

    /// <summary>A public policy grants only the bucket owner's account.</summary>
    public bool RestrictPublicBuckets { get; set; }

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("PublicAccessBlockConfiguration"u8);
        w.WriteElement("BlockPublicAcls"u8, BlockPublicAcls);
        w.WriteElement("IgnorePublicAcls"u8, IgnorePublicAcls);
        w.WriteElement("BlockPublicPolicy"u8, BlockPublicPolicy);
        w.WriteElement("RestrictPublicBuckets"u8, RestrictPublicBuckets);
        w.WriteEndElement("PublicAccessBlockConfiguration"u8);
        w.Flush();
    }

    /// <summary>Reads a response body (or a stored document); a value other than true/false fails, as does anything
    /// not XML; unknown elements are skipped, so a newer server's additions do not break the client. Never throws on
    /// malformed input.</summary>
    public static XmlReadResult<PublicAccessBlockConfiguration> Read(ReadOnlyMemory<byte> xml) => Read(xml, rejectUnknown: false);

    /// <summary>Reads a PutPublicAccessBlock request body: as <see cref="Read(ReadOnlyMemory{byte})"/>, but an unknown
    /// element fails too — a misspelt switch answered 200 would leave the bucket less protected than its owner
    /// believes (S3 answers MalformedXML).</summary>
    public static XmlReadResult<PublicAccessBlockConfiguration> ReadRequest(ReadOnlyMemory<byte> xml) => Read(xml, rejectUnknown: true);

    private static XmlReadResult<PublicAccessBlockConfiguration> Read(ReadOnlyMemory<byte> xml, bool rejectUnknown) =>
        XmlBodyReader.Read(xml, "PublicAccessBlockConfiguration", reader =>
        {
            var result = new PublicAccessBlockConfiguration();
            foreach (string name in reader.Children())
            {
                switch (name)
                {
                    case "BlockPublicAcls": result.BlockPublicAcls = reader.ReadBoolean(); break;
                    case "IgnorePublicAcls": result.IgnorePublicAcls = reader.ReadBoolean(); break;
                    case "BlockPublicPolicy": result.BlockPublicPolicy = reader.ReadBoolean(); break;
                    case "RestrictPublicBuckets": result.RestrictPublicBuckets = reader.ReadBoolean(); break;
                    default:
                        if (rejectUnknown) XmlBodyReader.Fail($"unknown element <{name}>");
                        reader.Skip();
                        break;
                }
            }

            return result;
        });
}
