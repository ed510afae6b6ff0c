using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>The GetBucketPolicyStatus response body (<c>PolicyStatus</c>): whether the bucket's policy is public.</summary>
public sealed class PolicyStatus
{
    public bool IsPublic { get; set; }

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("PolicyStatus"u8);
        w.WriteOptionalElement("IsPublic"u8, IsPublic ? "true" : "false");
        w.WriteEndElement("PolicyStatus"u8);
        w.Flush();
    }

    /// <summary>Reads a GetBucketPolicyStatus response; never throws on malformed input.</summary>
    public static XmlReadResult<PolicyStatus> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "PolicyStatus", static reader =>
        {
            var result = new PolicyStatus();
            foreach (string name in reader.Children())
            {
                if (name == "IsPublic") result.IsPublic = string.Equals(reader.ReadText().Trim(), "true", StringComparison.OrdinalIgnoreCase);
                else reader.Skip();
            }

            return result;
        });
}
