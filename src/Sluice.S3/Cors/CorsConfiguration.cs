using System.Buffers;
using Sluice.S3.Errors;
using Sluice.S3.Xml;

namespace Sluice.S3.Cors;

/// <summary>
/// A bucket's cross-origin rules (Get/PutBucketCors): <c>CORSConfiguration/CORSRule</c>, 1 to 100 rules.
/// <see cref="Read"/> takes the document's shape (MalformedXML otherwise: a rule needs an origin and a method);
/// <see cref="Validate"/> applies S3's rules on the values (InvalidRequest, as S3 answers them); <see cref="WriteTo"/>
/// writes the canonical document GET returns, values as sent and in order.
/// </summary>
public sealed class CorsConfiguration
{
    /// <summary>S3's limit on rules in one configuration.</summary>
    public const int MaxRules = 100;

    /// <summary>S3's limit on a configuration document's size (64 KB).</summary>
    public const int MaxDocumentBytes = 64 * 1024;

    /// <summary>S3's limit on a rule ID's length.</summary>
    public const int MaxIdLength = 255;

    /// <summary>The methods a rule may allow; anything else is refused ("Found unsupported HTTP method").</summary>
    public static IReadOnlyList<string> Methods { get; } = ["GET", "PUT", "HEAD", "POST", "DELETE"];

    public IList<CorsRule> Rules { get; } = new List<CorsRule>();

    /// <summary>The first problem with the rules, or <c>default</c>.</summary>
    public S3Problem Validate()
    {
        if (Rules.Count == 0 || Rules.Count > MaxRules)
        {
            return S3Problem.Of(S3ErrorCode.MalformedXML, $"A CORS configuration holds 1 to {MaxRules} rules.");
        }

        foreach (CorsRule rule in Rules)
        {
            if (rule.AllowedMethods.Count == 0 || rule.AllowedOrigins.Count == 0)
            {
                return S3Problem.Of(S3ErrorCode.MalformedXML, "Each CORSRule must identify at least one origin and one method.");
            }

            if (rule.Id != null && rule.Id.Length > MaxIdLength)
            {
                return S3Problem.InvalidArgument($"ID length should not exceed allowed limit of {MaxIdLength}", "ID", rule.Id);
            }

            foreach (string method in rule.AllowedMethods)
            {
                // Case matters: S3 takes the methods as HTTP spells them.
                if (!Methods.Contains(method, StringComparer.Ordinal))
                {
                    return S3Problem.Of(S3ErrorCode.InvalidRequest, "Found unsupported HTTP method in CORS config. Unsupported method is " + method);
                }
            }

            foreach (string origin in rule.AllowedOrigins)
            {
                if (Wildcards(origin) > 1)
                {
                    return S3Problem.Of(S3ErrorCode.InvalidRequest, $"AllowedOrigin \"{origin}\" can not have more than one wildcard.");
                }
            }

            foreach (string header in rule.AllowedHeaders)
            {
                if (Wildcards(header) > 1)
                {
                    return S3Problem.Of(S3ErrorCode.InvalidRequest, $"AllowedHeader \"{header}\" can not have more than one wildcard.");
                }
            }

            if (rule.MaxAgeSeconds is < 0)
            {
                return S3Problem.Of(S3ErrorCode.MalformedXML, "MaxAgeSeconds must not be negative.");
            }
        }

        return default;
    }

    private static int Wildcards(string value) => value.AsSpan().Count('*');

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("CORSConfiguration"u8);
        foreach (CorsRule rule in Rules)
        {
            w.WriteStartElement("CORSRule"u8);
            if (rule.Id != null)
            {
                w.WriteElement("ID"u8, rule.Id);
            }

            foreach (string header in rule.AllowedHeaders)
            {
                w.WriteElement("AllowedHeader"u8, header);
            }

            foreach (string method in rule.AllowedMethods)
            {
                w.WriteElement("AllowedMethod"u8, method);
            }

            foreach (string origin in rule.AllowedOrigins)
            {
                w.WriteElement("AllowedOrigin"u8, origin);
            }

            foreach (string header in rule.ExposeHeaders)
            {
                w.WriteElement("ExposeHeader"u8, header);
            }

            if (rule.MaxAgeSeconds is { } maxAge)
            {
                w.WriteElement("MaxAgeSeconds"u8, maxAge);
            }

            w.WriteEndElement("CORSRule"u8);
        }

        w.WriteEndElement("CORSConfiguration"u8);
        w.Flush();
    }

    /// <summary>Reads a PutBucketCors body or a GetBucketCors answer; never throws on malformed input.</summary>
    public static XmlReadResult<CorsConfiguration> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "CORSConfiguration", static reader =>
        {
            var result = new CorsConfiguration();
            foreach (string name in reader.Children())
            {
                if (name != "CORSRule")
                {
                    reader.Skip();
                    continue;
                }

                if (result.Rules.Count == MaxRules)
                {
                    XmlBodyReader.Fail("too many rules");
                }

                result.Rules.Add(ReadRule(reader));
            }

            return result;
        });

    private static CorsRule ReadRule(XmlBodyReader reader)
    {
        var rule = new CorsRule();
        bool maxAge = false;
        foreach (string name in reader.Children())
        {
            switch (name)
            {
                case "ID":
                    if (rule.Id != null)
                    {
                        XmlBodyReader.Fail("a CORSRule has one ID");
                    }

                    rule.Id = reader.ReadText();
                    break;
                case "AllowedHeader": rule.AllowedHeaders.Add(reader.ReadText()); break;
                case "AllowedMethod": rule.AllowedMethods.Add(reader.ReadText()); break;
                case "AllowedOrigin": rule.AllowedOrigins.Add(reader.ReadText()); break;
                case "ExposeHeader": rule.ExposeHeaders.Add(reader.ReadText()); break;
                case "MaxAgeSeconds":
                    if (maxAge)
                    {
                        XmlBodyReader.Fail("a CORSRule has at most one MaxAgeSeconds");
                    }

                    rule.MaxAgeSeconds = reader.ReadInt32();
                    maxAge = true;
                    break;
                default:
                    XmlBodyReader.Fail("unknown CORSRule element " + name);
                    break;
            }
        }

        if (rule.AllowedMethods.Count == 0 || rule.AllowedOrigins.Count == 0)
        {
            XmlBodyReader.Fail("a CORSRule needs an AllowedOrigin and an AllowedMethod");
        }

        return rule;
    }
}
