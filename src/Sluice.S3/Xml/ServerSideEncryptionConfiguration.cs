using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// A bucket's default encryption (Get/PutBucketEncryption): <c>ServerSideEncryptionConfiguration/Rule</c> with
/// <c>ApplyServerSideEncryptionByDefault</c> (<c>SSEAlgorithm</c>: AES256, aws:kms or aws:kms:dsse;
/// <c>KMSMasterKeyID</c>) and <c>BucketKeyEnabled</c>. Reading checks the shape only; the rules (one rule, a known
/// algorithm, a key id only with KMS) are the server's.
/// </summary>
public sealed class ServerSideEncryptionConfiguration
{
    public List<ServerSideEncryptionRule> Rules { get; } = [];

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("ServerSideEncryptionConfiguration"u8);
        foreach (var rule in Rules)
        {
            w.WriteStartElement("Rule"u8);
            if (rule.SseAlgorithm != null)
            {
                w.WriteStartElement("ApplyServerSideEncryptionByDefault"u8);
                w.WriteOptionalElement("SSEAlgorithm"u8, rule.SseAlgorithm);
                w.WriteOptionalElement("KMSMasterKeyID"u8, rule.KmsMasterKeyId);
                w.WriteEndElement("ApplyServerSideEncryptionByDefault"u8);
            }
            if (rule.BucketKeyEnabled is { } enabled) w.WriteOptionalElement("BucketKeyEnabled"u8, enabled ? "true" : "false");
            w.WriteEndElement("Rule"u8);
        }
        w.WriteEndElement("ServerSideEncryptionConfiguration"u8);
        w.Flush();
    }

    /// <summary>Reads a PutBucketEncryption body or a GetBucketEncryption answer; never throws on malformed input.</summary>
    public static XmlReadResult<ServerSideEncryptionConfiguration> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "ServerSideEncryptionConfiguration", static reader =>
        {
            var result = new ServerSideEncryptionConfiguration();
            foreach (string name in reader.Children())
            {
                if (name != "Rule")
                {
                    reader.Skip();
                    continue;
                }
                var rule = new ServerSideEncryptionRule();
                foreach (string field in reader.Children())
                {
                    switch (field)
                    {
                        case "ApplyServerSideEncryptionByDefault":
                            rule.HasDefault = true;
                            foreach (string inner in reader.Children())
                            {
                                switch (inner)
                                {
                                    case "SSEAlgorithm": rule.SseAlgorithm = reader.ReadText(); break;
                                    case "KMSMasterKeyID": rule.KmsMasterKeyId = reader.ReadText(); break;
                                    default: reader.Skip(); break;
                                }
                            }
                            break;
                        case "BucketKeyEnabled":
                            string text = reader.ReadText().Trim();
                            rule.BucketKeyEnabled = text == "true" ? true : text == "false" ? false : null;
                            rule.BucketKeyText = text;
                            break;
                        default:
                            reader.Skip();
                            break;
                    }
                }
                result.Rules.Add(rule);
            }
            return result;
        });
}

/// <summary>One rule of a <see cref="ServerSideEncryptionConfiguration"/>.</summary>
public sealed class ServerSideEncryptionRule
{
    /// <summary>Whether the rule had an ApplyServerSideEncryptionByDefault element.</summary>
    public bool HasDefault { get; set; }

    /// <summary>AES256, aws:kms or aws:kms:dsse (as read; not checked here).</summary>
    public string? SseAlgorithm { get; set; }

    public string? KmsMasterKeyId { get; set; }

    public bool? BucketKeyEnabled { get; set; }

    /// <summary>The BucketKeyEnabled text as read (null when absent), to refuse what is not a boolean.</summary>
    public string? BucketKeyText { get; set; }
}
