using System.Buffers;
using System.Globalization;

namespace Sluice.S3.Xml;

/// <summary>
/// A bucket's object lock configuration (Get/PutObjectLockConfiguration, <c>?object-lock</c>):
/// <see cref="ObjectLockEnabled"/> (<c>Enabled</c>) and an optional default retention — <see cref="Mode"/>
/// (<c>GOVERNANCE</c> or <c>COMPLIANCE</c>) for <see cref="Days"/> or <see cref="Years"/> — applied to new versions
/// that name no retention of their own.
/// </summary>
public sealed class ObjectLockConfiguration
{
    /// <summary><c>Enabled</c> (the only value S3 defines), or null when the element is absent.</summary>
    public string? ObjectLockEnabled { get; set; }

    /// <summary>True when the body has a <c>Rule</c> element (with or without a usable default retention).</summary>
    public bool HasRule { get; set; }

    /// <summary>True when the rule has a <c>DefaultRetention</c> element.</summary>
    public bool HasDefaultRetention { get; set; }

    /// <summary>The default retention's mode, as sent (checked by the server, not here).</summary>
    public string? Mode { get; set; }

    /// <summary>The default retention period in days; null when not given.</summary>
    public int? Days { get; set; }

    /// <summary>The default retention period in years; null when not given.</summary>
    public int? Years { get; set; }

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("ObjectLockConfiguration"u8);
        w.WriteOptionalElement("ObjectLockEnabled"u8, ObjectLockEnabled);
        if (Mode != null || Days != null || Years != null)
        {
            w.WriteStartElement("Rule"u8);
            w.WriteStartElement("DefaultRetention"u8);
            w.WriteOptionalElement("Mode"u8, Mode);
            if (Days is { } days) w.WriteElement("Days"u8, days);
            if (Years is { } years) w.WriteElement("Years"u8, years);
            w.WriteEndElement("DefaultRetention"u8);
            w.WriteEndElement("Rule"u8);
        }
        w.WriteEndElement("ObjectLockConfiguration"u8);
        w.Flush();
    }

    /// <summary>Reads a request or response body; never throws on malformed input (a non-integer period included).</summary>
    public static XmlReadResult<ObjectLockConfiguration> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "ObjectLockConfiguration", static reader =>
        {
            var result = new ObjectLockConfiguration();
            foreach (string name in reader.Children())
            {
                switch (name)
                {
                    case "ObjectLockEnabled":
                        result.ObjectLockEnabled = reader.ReadText();
                        break;
                    case "Rule":
                        result.HasRule = true;
                        foreach (string child in reader.Children())
                        {
                            if (child != "DefaultRetention")
                            {
                                reader.Skip();
                                continue;
                            }
                            result.HasDefaultRetention = true;
                            foreach (string field in reader.Children())
                            {
                                switch (field)
                                {
                                    case "Mode": result.Mode = reader.ReadText(); break;
                                    case "Days": result.Days = Integer(reader.ReadText()); break;
                                    case "Years": result.Years = Integer(reader.ReadText()); break;
                                    default: reader.Skip(); break;
                                }
                            }
                        }
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            return result;
        });

    private static int Integer(string text)
    {
        if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            XmlBodyReader.Fail("a retention period is not an integer");
        }

        return value;
    }
}
