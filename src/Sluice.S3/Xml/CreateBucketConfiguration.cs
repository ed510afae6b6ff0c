using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// The CreateBucket request body. An absent body means the default region; that is the server's decision before
/// reading (an empty document is malformed here).
/// </summary>
public sealed class CreateBucketConfiguration
{
    /// <summary>Region the bucket is to live in; null or empty for us-east-1.</summary>
    public string? LocationConstraint { get; set; }

    public void WriteTo(IBufferWriter<byte> output)
    {
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("CreateBucketConfiguration"u8);
        w.WriteOptionalElement("LocationConstraint"u8, LocationConstraint);
        w.WriteEndElement("CreateBucketConfiguration"u8);
        w.Flush();
    }

    /// <summary>Reads the request body; never throws on malformed input.</summary>
    public static XmlReadResult<CreateBucketConfiguration> Read(ReadOnlyMemory<byte> xml) =>
        XmlBodyReader.Read(xml, "CreateBucketConfiguration", static reader =>
        {
            var result = new CreateBucketConfiguration();
            foreach (string name in reader.Children())
            {
                if (name == "LocationConstraint")
                {
                    result.LocationConstraint = reader.ReadText();
                }
                else
                {
                    // Location/Bucket (directory buckets) and future fields are not ours to judge.
                    reader.Skip();
                }
            }

            return result;
        });
}
