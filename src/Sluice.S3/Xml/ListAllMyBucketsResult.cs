using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>The ListBuckets response body (<c>ListAllMyBucketsResult</c>).</summary>
public sealed class ListAllMyBucketsResult
{
    public S3Owner? Owner { get; set; }

    public IList<ListedBucket> Buckets { get; } = new List<ListedBucket>();

    /// <summary>Set when more buckets remain (paginated ListBuckets).</summary>
    public string? ContinuationToken { get; set; }

    /// <summary>Echo of the <c>prefix</c> request parameter.</summary>
    public string? Prefix { get; set; }

    /// <summary>Writes the document, declaration included.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("ListAllMyBucketsResult"u8);
        Owner?.Write(ref w, "Owner"u8);
        w.WriteStartElement("Buckets"u8);
        foreach (ListedBucket bucket in Buckets)
        {
            w.WriteStartElement("Bucket"u8);
            w.WriteElement("Name"u8, bucket.Name);
            w.WriteElement("CreationDate"u8, bucket.CreationDate);
            w.WriteOptionalElement("BucketRegion"u8, bucket.BucketRegion);
            w.WriteEndElement("Bucket"u8);
        }

        w.WriteEndElement("Buckets"u8);
        w.WriteOptionalElement("ContinuationToken"u8, ContinuationToken);
        w.WriteOptionalElement("Prefix"u8, Prefix);
        w.WriteEndElement("ListAllMyBucketsResult"u8);
        w.Flush();
    }

    /// <summary>Reads the document; never throws on malformed input.</summary>
    public static XmlReadResult<ListAllMyBucketsResult> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "ListAllMyBucketsResult", static reader =>
        {
            var result = new ListAllMyBucketsResult();
            foreach (string name in reader.Children())
            {
                switch (name)
                {
                    case "Owner":
                        result.Owner = S3Owner.Read(reader);
                        break;
                    case "Buckets":
                        foreach (string entry in reader.Children())
                        {
                            if (entry == "Bucket")
                            {
                                result.Buckets.Add(ReadBucket(reader));
                            }
                            else
                            {
                                reader.Skip();
                            }
                        }

                        break;
                    case "ContinuationToken":
                        result.ContinuationToken = reader.ReadText();
                        break;
                    case "Prefix":
                        result.Prefix = reader.ReadText();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            return result;
        });

    private static ListedBucket ReadBucket(XmlBodyReader reader)
    {
        var bucket = new ListedBucket();
        bool hasName = false;
        foreach (string name in reader.Children())
        {
            switch (name)
            {
                case "Name":
                    bucket.Name = reader.ReadText();
                    hasName = true;
                    break;
                case "CreationDate":
                    bucket.CreationDate = reader.ReadTimestamp();
                    break;
                case "BucketRegion":
                    bucket.BucketRegion = reader.ReadText();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (!hasName)
        {
            XmlBodyReader.Fail("Bucket without Name");
        }

        return bucket;
    }
}
