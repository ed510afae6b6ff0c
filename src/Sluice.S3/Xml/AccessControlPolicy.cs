using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// The ACL document of Get/PutBucketAcl and Get/PutObjectAcl:
/// <c>AccessControlPolicy/(Owner, AccessControlList/Grant(Grantee, Permission))</c>. A grantee's kind is its
/// <c>xsi:type</c> attribute: CanonicalUser (ID), Group (URI) or AmazonCustomerByEmail (EmailAddress). Reading checks
/// only the document's shape; whether the grants make sense (known permissions, users and groups) is the server's.
/// </summary>
public sealed class AccessControlPolicy
{
    /// <summary>The XML Schema instance namespace the <c>xsi:type</c> attribute lives in.</summary>
    public const string XsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";

    public S3Owner? Owner { get; set; }

    public IList<AclGrantXml> Grants { get; } = new List<AclGrantXml>();

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("AccessControlPolicy"u8);
        Owner?.Write(ref w, "Owner"u8);
        w.WriteStartElement("AccessControlList"u8);
        foreach (var grant in Grants)
        {
            w.WriteStartElement("Grant"u8);
            w.WriteRaw("<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\""u8);
            w.WriteText(grant.Type);
            w.WriteRaw("\">"u8);
            w.WriteOptionalElement("ID"u8, grant.Id);
            w.WriteOptionalElement("DisplayName"u8, grant.DisplayName);
            w.WriteOptionalElement("EmailAddress"u8, grant.EmailAddress);
            w.WriteOptionalElement("URI"u8, grant.Uri);
            w.WriteEndElement("Grantee"u8);
            w.WriteElement("Permission"u8, grant.Permission);
            w.WriteEndElement("Grant"u8);
        }

        w.WriteEndElement("AccessControlList"u8);
        w.WriteEndElement("AccessControlPolicy"u8);
        w.Flush();
    }

    /// <summary>Reads a request or response body; never throws on malformed input.</summary>
    public static XmlReadResult<AccessControlPolicy> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "AccessControlPolicy", static reader =>
        {
            var result = new AccessControlPolicy();
            foreach (string name in reader.Children())
            {
                switch (name)
                {
                    case "Owner":
                        result.Owner = S3Owner.Read(reader);
                        break;
                    case "AccessControlList":
                        foreach (string child in reader.Children())
                        {
                            if (child == "Grant") result.Grants.Add(ReadGrant(reader));
                            else reader.Skip();
                        }

                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            return result;
        });

    private static AclGrantXml ReadGrant(XmlBodyReader reader)
    {
        var grant = new AclGrantXml();
        foreach (string name in reader.Children())
        {
            switch (name)
            {
                case "Grantee":
                    grant.Type = reader.Attribute("type", XsiNamespace) ?? "";
                    foreach (string field in reader.Children())
                    {
                        switch (field)
                        {
                            case "ID": grant.Id = reader.ReadText(); break;
                            case "DisplayName": grant.DisplayName = reader.ReadText(); break;
                            case "EmailAddress": grant.EmailAddress = reader.ReadText(); break;
                            case "URI": grant.Uri = reader.ReadText(); break;
                            default: reader.Skip(); break;
                        }
                    }

                    break;
                case "Permission":
                    grant.Permission = reader.ReadText();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return grant;
    }
}
