using System.Buffers;
using System.Globalization;
using Sluice.S3.Errors;
using Sluice.S3.Tagging;
using Sluice.S3.Xml;

namespace Sluice.S3.Lifecycle;

/// <summary>
/// A bucket's lifecycle configuration (Get/PutBucketLifecycleConfiguration): up to 1,000 rules. <see cref="Read"/>
/// takes the document's shape (MalformedXML otherwise); <see cref="Validate"/> applies S3's rules on what the rules
/// say (InvalidArgument / InvalidRequest, as S3 answers them); <see cref="WriteTo"/> writes the canonical document
/// GET returns.
/// </summary>
public sealed class LifecycleConfiguration
{
    public const int MaxRules = 1000;
    public const int MaxIdLength = 255;

    public IList<LifecycleRule> Rules { get; } = new List<LifecycleRule>();

    /// <summary>The first problem with the rules, or <c>default</c>.</summary>
    public S3Problem Validate()
    {
        if (Rules.Count == 0 || Rules.Count > MaxRules)
        {
            return S3Problem.Of(S3ErrorCode.MalformedXML, $"A lifecycle configuration holds 1 to {MaxRules} rules.");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (LifecycleRule rule in Rules)
        {
            if (rule.Id.Length > MaxIdLength)
            {
                return S3Problem.InvalidArgument($"ID length should not exceed allowed limit of {MaxIdLength}", "ID", rule.Id);
            }

            if (rule.Id.Length > 0 && !ids.Add(rule.Id))
            {
                return S3Problem.InvalidArgument("Rule ID must be unique. Found same ID for more than one rule", "ID", rule.Id);
            }

            if (!rule.HasExpiration && !rule.HasNoncurrentExpiration && rule.AbortDaysAfterInitiation == null && !rule.HasTransition)
            {
                return S3Problem.Of(S3ErrorCode.InvalidRequest, "At least one action needs to be specified in a rule");
            }

            int expirations = (rule.ExpirationDays != null ? 1 : 0) + (rule.ExpirationDate != null ? 1 : 0) + (rule.ExpiredObjectDeleteMarker != null ? 1 : 0);
            if (expirations > 1)
            {
                return S3Problem.Of(S3ErrorCode.MalformedXML, "Expiration takes one of Days, Date and ExpiredObjectDeleteMarker.");
            }

            if (rule.ExpirationDays is <= 0)
            {
                return S3Problem.InvalidArgument("'Days' for Expiration action must be a positive integer", "Days",
                    rule.ExpirationDays.Value.ToString(CultureInfo.InvariantCulture));
            }

            if (rule.ExpirationDate is { } date && date.TimeOfDay != TimeSpan.Zero)
            {
                return S3Problem.InvalidArgument("'Date' must be at midnight GMT", "Date", date.ToString("O", CultureInfo.InvariantCulture));
            }

            if (rule.ExpiredObjectDeleteMarker == true && rule.Filter.Tags.Count > 0)
            {
                return S3Problem.InvalidArgument("ExpiredObjectDeleteMarker cannot be specified with tags.", "ExpiredObjectDeleteMarker", "true");
            }

            if (rule.NoncurrentDays is <= 0 || rule.NewerNoncurrentVersions is <= 0 || rule.AbortDaysAfterInitiation is <= 0)
            {
                return S3Problem.InvalidArgument("'Days' for an action must be a positive integer", "Days", string.Empty);
            }

            if (rule.AbortDaysAfterInitiation != null
                && (rule.Filter.Tags.Count > 0 || rule.Filter.ObjectSizeGreaterThan != null || rule.Filter.ObjectSizeLessThan != null))
            {
                return S3Problem.Of(S3ErrorCode.InvalidRequest,
                    "AbortIncompleteMultipartUpload cannot be specified with Tags or object size filters.");
            }

            if (rule.Filter.ObjectSizeGreaterThan is < 0 || rule.Filter.ObjectSizeLessThan is <= 0
                || (rule.Filter.ObjectSizeGreaterThan is { } above && rule.Filter.ObjectSizeLessThan is { } below && above >= below))
            {
                return S3Problem.InvalidArgument("ObjectSizeGreaterThan must be less than ObjectSizeLessThan, and both non-negative.",
                    "ObjectSize", string.Empty);
            }

            if (rule.Filter.Tags.Count > 0)
            {
                S3Problem tags = TagRules.Validate(rule.Filter.Tags.ToArray(), forBucket: true);
                if (!tags.IsNone)
                {
                    return tags;
                }
            }
        }

        return default;
    }

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("LifecycleConfiguration"u8);
        foreach (LifecycleRule rule in Rules)
        {
            w.WriteStartElement("Rule"u8);
            w.WriteElement("ID"u8, rule.Id);
            LifecycleFilter f = rule.Filter;
            if (f.Legacy)
            {
                w.WriteElement("Prefix"u8, f.Prefix);
            }
            else
            {
                w.WriteStartElement("Filter"u8);
                int parts = (f.Prefix.Length > 0 ? 1 : 0) + f.Tags.Count + (f.ObjectSizeGreaterThan != null ? 1 : 0) + (f.ObjectSizeLessThan != null ? 1 : 0);
                bool and = f.UsesAnd || parts > 1;
                if (and)
                {
                    w.WriteStartElement("And"u8);
                }

                if (f.Prefix.Length > 0 || (parts == 0 && !and))
                {
                    w.WriteElement("Prefix"u8, f.Prefix);
                }

                foreach (var (key, value) in f.Tags)
                {
                    w.WriteStartElement("Tag"u8);
                    w.WriteElement("Key"u8, key);
                    w.WriteElement("Value"u8, value);
                    w.WriteEndElement("Tag"u8);
                }

                if (f.ObjectSizeGreaterThan is { } above)
                {
                    w.WriteElement("ObjectSizeGreaterThan"u8, above);
                }

                if (f.ObjectSizeLessThan is { } below)
                {
                    w.WriteElement("ObjectSizeLessThan"u8, below);
                }

                if (and)
                {
                    w.WriteEndElement("And"u8);
                }

                w.WriteEndElement("Filter"u8);
            }

            w.WriteElement("Status"u8, rule.Enabled ? "Enabled" : "Disabled");
            if (rule.HasExpiration)
            {
                w.WriteStartElement("Expiration"u8);
                if (rule.ExpirationDays is { } days)
                {
                    w.WriteElement("Days"u8, days);
                }

                if (rule.ExpirationDate is { } date)
                {
                    w.WriteElement("Date"u8, date);
                }

                if (rule.ExpiredObjectDeleteMarker is { } marker)
                {
                    w.WriteElement("ExpiredObjectDeleteMarker"u8, marker);
                }

                w.WriteEndElement("Expiration"u8);
            }

            if (rule.HasNoncurrentExpiration)
            {
                w.WriteStartElement("NoncurrentVersionExpiration"u8);
                if (rule.NoncurrentDays is { } nd)
                {
                    w.WriteElement("NoncurrentDays"u8, nd);
                }

                if (rule.NewerNoncurrentVersions is { } newer)
                {
                    w.WriteElement("NewerNoncurrentVersions"u8, newer);
                }

                w.WriteEndElement("NoncurrentVersionExpiration"u8);
            }

            if (rule.AbortDaysAfterInitiation is { } abort)
            {
                w.WriteStartElement("AbortIncompleteMultipartUpload"u8);
                w.WriteElement("DaysAfterInitiation"u8, abort);
                w.WriteEndElement("AbortIncompleteMultipartUpload"u8);
            }

            w.WriteEndElement("Rule"u8);
        }

        w.WriteEndElement("LifecycleConfiguration"u8);
        w.Flush();
    }

    /// <summary>Reads a request body (or a stored document); never throws on malformed input.</summary>
    public static XmlReadResult<LifecycleConfiguration> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "LifecycleConfiguration", static reader =>
        {
            var result = new LifecycleConfiguration();
            foreach (string name in reader.Children())
            {
                if (name == "Rule")
                {
                    if (result.Rules.Count == MaxRules)
                    {
                        XmlBodyReader.Fail("too many rules");
                    }

                    result.Rules.Add(ReadRule(reader));
                }
                else
                {
                    reader.Skip();
                }
            }

            return result;
        });

    private static LifecycleRule ReadRule(XmlBodyReader reader)
    {
        var rule = new LifecycleRule();
        bool status = false, filter = false, prefix = false;
        foreach (string name in reader.Children())
        {
            switch (name)
            {
                case "ID":
                    rule.Id = reader.ReadText();
                    break;
                case "Status":
                    string s = reader.ReadText();
                    if (s is not ("Enabled" or "Disabled"))
                    {
                        XmlBodyReader.Fail("Status is Enabled or Disabled");
                    }

                    rule.Enabled = s == "Enabled";
                    status = true;
                    break;
                case "Prefix":
                    rule.Filter.Prefix = reader.ReadKey();
                    rule.Filter.Legacy = true;
                    prefix = true;
                    break;
                case "Filter":
                    ReadFilter(reader, rule.Filter);
                    filter = true;
                    break;
                case "Expiration":
                    foreach (string e in reader.Children())
                    {
                        switch (e)
                        {
                            case "Days": rule.ExpirationDays = reader.ReadInt32(); break;
                            case "Date": rule.ExpirationDate = reader.ReadTimestamp(); break;
                            case "ExpiredObjectDeleteMarker": rule.ExpiredObjectDeleteMarker = reader.ReadBoolean(); break;
                            default: reader.Skip(); break;
                        }
                    }

                    if (!rule.HasExpiration)
                    {
                        XmlBodyReader.Fail("empty Expiration");
                    }

                    break;
                case "NoncurrentVersionExpiration":
                    foreach (string e in reader.Children())
                    {
                        switch (e)
                        {
                            case "NoncurrentDays": rule.NoncurrentDays = reader.ReadInt32(); break;
                            case "NewerNoncurrentVersions": rule.NewerNoncurrentVersions = reader.ReadInt32(); break;
                            default: reader.Skip(); break;
                        }
                    }

                    if (rule.NoncurrentDays == null)
                    {
                        XmlBodyReader.Fail("NoncurrentVersionExpiration without NoncurrentDays");
                    }

                    break;
                case "AbortIncompleteMultipartUpload":
                    foreach (string e in reader.Children())
                    {
                        if (e == "DaysAfterInitiation")
                        {
                            rule.AbortDaysAfterInitiation = reader.ReadInt32();
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    if (rule.AbortDaysAfterInitiation == null)
                    {
                        XmlBodyReader.Fail("AbortIncompleteMultipartUpload without DaysAfterInitiation");
                    }

                    break;
                case "Transition":
                case "NoncurrentVersionTransition":
                    rule.HasTransition = true;
                    reader.Skip();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (!status)
        {
            XmlBodyReader.Fail("Rule without Status");
        }

        if (filter == prefix)
        {
            XmlBodyReader.Fail(filter ? "Rule with both Filter and Prefix" : "Rule without Filter or Prefix");
        }

        return rule;
    }

    private static void ReadFilter(XmlBodyReader reader, LifecycleFilter filter)
    {
        int conditions = 0;
        foreach (string name in reader.Children())
        {
            conditions++;
            if (name == "And")
            {
                filter.UsesAnd = true;
                foreach (string inner in reader.Children())
                {
                    ReadCondition(reader, filter, inner);
                }
            }
            else
            {
                ReadCondition(reader, filter, name);
            }
        }

        if (conditions > 1)
        {
            XmlBodyReader.Fail("Filter takes one condition; several go in And");
        }
    }

    private static void ReadCondition(XmlBodyReader reader, LifecycleFilter filter, string name)
    {
        switch (name)
        {
            case "Prefix":
                filter.Prefix = reader.ReadKey();
                break;
            case "Tag":
                string? key = null, value = null;
                foreach (string t in reader.Children())
                {
                    switch (t)
                    {
                        case "Key": key = reader.ReadKey(); break;
                        case "Value": value = reader.ReadKey(); break;
                        default: reader.Skip(); break;
                    }
                }

                if (key is null || value is null)
                {
                    XmlBodyReader.Fail("Tag without Key or Value");
                }

                filter.Tags.Add(new(key, value));
                break;
            case "ObjectSizeGreaterThan":
                filter.ObjectSizeGreaterThan = reader.ReadInt64();
                break;
            case "ObjectSizeLessThan":
                filter.ObjectSizeLessThan = reader.ReadInt64();
                break;
            default:
                XmlBodyReader.Fail("unknown filter condition " + name);
                break;
        }
    }
}
