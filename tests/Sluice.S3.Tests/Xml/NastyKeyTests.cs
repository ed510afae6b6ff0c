using System.Text;
using Sluice.S3.Xml;
using static Sluice.S3.Tests.Xml.XmlTestHelpers;

namespace Sluice.S3.Tests.Xml;

/// <summary>Keys that break naive XML handling survive write → read exactly, with and without encoding-type=url.</summary>
public class NastyKeyTests
{
    public static TheoryData<string> Keys()
    {
        var data = new TheoryData<string>
        {
            "a&b<c>d\"e'f",
            "x]]>y<![CDATA[z]]>",
            "&amp;&#x1;&lt;",
            "line\nfeed\ttab",
            "carriage\rreturn\r\n",
            " ",
            "  leading and trailing  ",
            "+plus+ and %25 percent%",
            "dir/sub dir//file",
            "日本語/Ünïcödé",
            "emoji 😀🚀👩‍👩‍👧",
            "\U0010FFFF max",
            "\u007F\u0080\u009F\u00A0\u2028\u2029\uFEFF",
            "nonchars \uFFFE\uFFFF",
        };

        // Every C0 control in one key.
        var controls = new StringBuilder();
        for (char c = '\u0001'; c < ' '; c++)
        {
            controls.Append(c);
        }

        data.Add(controls.ToString());
        data.Add("nul\u0000inside");
        data.Add(new string('k', 1024));
        return data;
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Listing_round_trips_plain(string key) => AssertListingRoundTrip(key, null);

    [Theory]
    [MemberData(nameof(Keys))]
    public void Listing_round_trips_url_encoded(string key) => AssertListingRoundTrip(key, "url");

    [Theory]
    [MemberData(nameof(Keys))]
    public void Delete_request_round_trips(string key)
    {
        var request = new DeleteObjectsRequest();
        request.Objects.Add(new ObjectIdentifier { Key = key });
        XmlReadResult<DeleteObjectsRequest> read = DeleteObjectsRequest.Read(WriteBytes(request.WriteTo));
        Assert.True(read.IsSuccess, read.Detail);
        Assert.Equal(key, Assert.Single(read.Value.Objects).Key);
    }

    [Fact]
    public void Url_encoded_listing_is_plain_ascii_without_references()
    {
        var result = new ListBucketResult { Name = "b", EncodingType = "url" };
        result.Contents.Add(new ListedObject { Key = "a\u0001&😀 b" });
        string xml = Write(result.WriteTo);
        Assert.Contains("<Key>a%01%26%F0%9F%98%80+b</Key>", xml, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(xml) == xml.Length);
    }

    [Fact]
    public void Reads_s3_style_references_for_control_characters()
    {
        // What S3 itself sends for a key holding ESC (github.com/aws/aws-sdk-php/issues/169).
        string xml = $"<ListBucketResult {Ns}><Name>b</Name><Contents><Key>2013_2_17_0_LA&#x1b;</Key>" +
                     "<LastModified>2013-02-17T18:03:19.000Z</LastModified><ETag>\"e\"</ETag><Size>1</Size></Contents></ListBucketResult>";
        XmlReadResult<ListBucketResult> read = ListBucketResult.Read(Utf8(xml));
        Assert.True(read.IsSuccess, read.Detail);
        Assert.Equal("2013_2_17_0_LA\u001b", Assert.Single(read.Value.Contents).Key);
    }

    [Fact]
    public void Raw_carriage_return_is_normalised_which_is_why_the_writer_escapes_it()
    {
        // A raw CR in element content becomes LF under XML 1.0 end-of-line handling (github.com/boto/boto/issues/23).
        XmlReadResult<DeleteObjectsRequest> raw = DeleteObjectsRequest.Read(Utf8("<Delete><Object><Key>abc.txt\r</Key></Object></Delete>"));
        Assert.True(raw.IsSuccess, raw.Detail);
        Assert.Equal("abc.txt\n", Assert.Single(raw.Value.Objects).Key);

        // The AWS "XML related object key constraints" table: &#13; / &#x0D; carry it exactly.
        XmlReadResult<DeleteObjectsRequest> escaped = DeleteObjectsRequest.Read(Utf8("<Delete><Object><Key>abc.txt&#13;&#x0D;</Key></Object></Delete>"));
        Assert.True(escaped.IsSuccess, escaped.Detail);
        Assert.Equal("abc.txt\r\r", Assert.Single(escaped.Value.Objects).Key);
    }

    [Fact]
    public void Reference_to_a_lone_surrogate_is_refused()
    {
        XmlReadResult<DeleteObjectsRequest> read = DeleteObjectsRequest.Read(Utf8("<Delete><Object><Key>a&#xD800;</Key></Object></Delete>"));
        Assert.False(read.IsSuccess);
    }

    [Fact]
    public void Url_encoded_field_that_is_not_utf8_is_refused()
    {
        string xml = $"<ListBucketResult {Ns}><Name>b</Name><EncodingType>url</EncodingType><Contents><Key>%FF</Key>" +
                     "<LastModified>2013-02-17T18:03:19.000Z</LastModified><ETag>e</ETag><Size>1</Size></Contents></ListBucketResult>";
        Assert.False(ListBucketResult.Read(Utf8(xml)).IsSuccess);
    }

    private static void AssertListingRoundTrip(string key, string? encodingType)
    {
        var result = new ListBucketResult { Name = "b", Prefix = key, StartAfter = key, Delimiter = key, EncodingType = encodingType };
        result.Contents.Add(new ListedObject { Key = key, ETag = "\"e\"", LastModified = DateTimeOffset.UnixEpoch });
        result.CommonPrefixes.Add(key);

        XmlReadResult<ListBucketResult> read = ListBucketResult.Read(WriteBytes(result.WriteTo));
        Assert.True(read.IsSuccess, read.Detail);
        Assert.Equal(key, Assert.Single(read.Value.Contents).Key);
        Assert.Equal(key, read.Value.Prefix);
        Assert.Equal(key, read.Value.StartAfter);
        Assert.Equal(key, read.Value.Delimiter);
        Assert.Equal(key, Assert.Single(read.Value.CommonPrefixes));
    }
}
