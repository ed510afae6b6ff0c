using System.Text;
using Sluice.S3.Errors;
using Sluice.S3.Xml;
using static Sluice.S3.Tests.Xml.XmlTestHelpers;

namespace Sluice.S3.Tests.Xml;

/// <summary>Malformed and hostile request bodies are refused as MalformedXML, never thrown.</summary>
public class HostileXmlTests
{
    private static void AssertMalformed<T>(XmlReadResult<T> result)
        where T : class
    {
        Assert.False(result.IsSuccess);
        Assert.False(string.IsNullOrEmpty(result.Detail));
        Assert.Equal(S3ErrorCode.MalformedXML, result.ErrorCode);
    }

    public static TheoryData<string> MalformedDeletes() => new()
    {
        "",
        "   ",
        "not xml at all",
        "<Delete>",
        "<Delete><Object><Key>k</Key></Object>",
        "<Delete><Object><Key>k</Object></Delete>",
        "<Delete><Object><Key>k</Key></Object></Delete><Delete/>",
        "<Delete><Object><Key>k</Key></Object></Delete>trailing",
        "<Delete/>",
        "<Delete></Delete>",
        "<Delete><Object></Object></Delete>",
        "<Delete><Object><VersionId>v</VersionId></Object></Delete>",
        "<Delete><Quiet>maybe</Quiet><Object><Key>k</Key></Object></Delete>",
        "<Delete><Object><Key>k<b/></Key></Object></Delete>",
        "<Delete>text<Object><Key>k</Key></Object></Delete>",
        "<Delete><Object><Key>&undefined;</Key></Object></Delete>",
        "<Delete><Object><Key>&#xZZ;</Key></Object></Delete>",
        "<Delete><Object><Key>raw\u0001control</Key></Object></Delete>",
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>",
        "<Error><Code>NoSuchKey</Code></Error>",
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?><Delete><Object><Key>k</Key></Object></Delete>",
    };

    [Theory]
    [MemberData(nameof(MalformedDeletes))]
    public void Malformed_delete_bodies(string xml) => AssertMalformed(DeleteObjectsRequest.Read(Utf8(xml)));

    [Fact]
    public void Invalid_utf8_bytes()
    {
        byte[] body = [.. "<Delete><Object><Key>"u8, 0xC3, 0x28, .. "</Key></Object></Delete>"u8];
        AssertMalformed(DeleteObjectsRequest.Read(body));
    }

    [Fact]
    public void Dtd_with_internal_entity_is_refused()
    {
        const string Xml = """
            <?xml version="1.0"?>
            <!DOCTYPE Delete [<!ENTITY k "sample1.txt">]>
            <Delete><Object><Key>&k;</Key></Object></Delete>
            """;
        AssertMalformed(DeleteObjectsRequest.Read(Utf8(Xml)));
    }

    [Fact]
    public void Billion_laughs_is_refused()
    {
        const string Xml = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
              <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
              <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
              <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
              <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
              <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
              <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
            ]>
            <CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&lol9;</ETag></Part></CompleteMultipartUpload>
            """;
        AssertMalformed(CompleteMultipartUpload.Read(Utf8(Xml)));
    }

    [Fact]
    public void External_entity_is_refused()
    {
        const string Xml = """
            <?xml version="1.0"?>
            <!DOCTYPE CreateBucketConfiguration [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <CreateBucketConfiguration><LocationConstraint>&xxe;</LocationConstraint></CreateBucketConfiguration>
            """;
        AssertMalformed(CreateBucketConfiguration.Read(Utf8(Xml)));
    }

    [Fact]
    public void Deep_nesting_inside_an_unknown_element_is_refused()
    {
        var sb = new StringBuilder("<Delete><Object><Key>k</Key></Object><Junk>");
        for (int i = 0; i < 10_000; i++)
        {
            sb.Append("<a>");
        }

        for (int i = 0; i < 10_000; i++)
        {
            sb.Append("</a>");
        }

        sb.Append("</Junk></Delete>");
        AssertMalformed(DeleteObjectsRequest.Read(Utf8(sb.ToString())));
    }

    [Fact]
    public void Nesting_within_the_limit_inside_unknown_elements_is_skipped()
    {
        // Unknown extensions are tolerated (S3 adds fields over time) as long as they stay shallow.
        const string Xml = "<Delete><Future><a><b><c>x</c></b></a></Future><Object><Key>k</Key><ETag>e</ETag></Object></Delete>";
        XmlReadResult<DeleteObjectsRequest> read = DeleteObjectsRequest.Read(Utf8(Xml));
        Assert.True(read.IsSuccess, read.Detail);
        Assert.Equal("k", Assert.Single(read.Value.Objects).Key);
    }

    [Fact]
    public void Delete_with_exactly_1000_objects_is_accepted_and_1001_refused()
    {
        Assert.True(DeleteObjectsRequest.Read(DeleteBody(S3Xml.MaxDeleteObjects)).IsSuccess);
        AssertMalformed(DeleteObjectsRequest.Read(DeleteBody(S3Xml.MaxDeleteObjects + 1)));
    }

    [Fact]
    public void Complete_with_exactly_10000_parts_is_accepted_and_10001_refused()
    {
        Assert.True(CompleteMultipartUpload.Read(CompleteBody(S3Xml.MaxCompleteParts)).IsSuccess);
        AssertMalformed(CompleteMultipartUpload.Read(CompleteBody(S3Xml.MaxCompleteParts + 1)));
    }

    [Theory]
    [InlineData("<CompleteMultipartUpload/>")]
    [InlineData("<CompleteMultipartUpload><Part><ETag>e</ETag></Part></CompleteMultipartUpload>")]
    [InlineData("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>")]
    [InlineData("<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>")]
    [InlineData("<CompleteMultipartUpload><Part><PartNumber>99999999999</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>")]
    [InlineData("<Delete><Object><Key>k</Key></Object></Delete>")]
    public void Malformed_complete_bodies(string xml) => AssertMalformed(CompleteMultipartUpload.Read(Utf8(xml)));

    [Theory]
    [InlineData("<CreateBucketConfiguration><LocationConstraint><x/></LocationConstraint></CreateBucketConfiguration>")]
    [InlineData("<LocationConstraint>eu-west-1</LocationConstraint>")]
    [InlineData("")]
    public void Malformed_create_bucket_bodies(string xml) => AssertMalformed(CreateBucketConfiguration.Read(Utf8(xml)));

    [Fact]
    public void Document_over_the_size_cap_is_refused()
    {
        var sb = new StringBuilder("<CreateBucketConfiguration><LocationConstraint>");
        sb.Append('x', (int)S3Xml.MaxDocumentCharacters);
        sb.Append("</LocationConstraint></CreateBucketConfiguration>");
        AssertMalformed(CreateBucketConfiguration.Read(Utf8(sb.ToString())));
    }

    [Fact]
    public void Responses_with_bad_values_are_refused()
    {
        AssertMalformed(ListBucketResult.Read(Utf8($"<ListBucketResult {Ns}><MaxKeys>lots</MaxKeys></ListBucketResult>")));
        AssertMalformed(ListBucketResult.Read(Utf8($"<ListBucketResult {Ns}><Contents><LastModified>yesterday</LastModified><Key>k</Key></Contents></ListBucketResult>")));
        AssertMalformed(ListBucketResult.Read(Utf8($"<ListBucketResult {Ns}><Contents><Size>1</Size></Contents></ListBucketResult>")));
        AssertMalformed(ListPartsResult.Read(Utf8($"<ListPartsResult {Ns}><IsTruncated>yes</IsTruncated></ListPartsResult>")));
        AssertMalformed(InitiateMultipartUploadResult.Read(Utf8($"<InitiateMultipartUploadResult {Ns}><Bucket>b</Bucket></InitiateMultipartUploadResult>")));
        AssertMalformed(ListAllMyBucketsResult.Read(Utf8("<ListAllMyBucketsResult><Buckets><Bucket><CreationDate>2019-12-11T23:32:47+00:00</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>")));
        AssertMalformed(CopyObjectResult.Read(Utf8("<CopyObjectResult><LastModified>2009-10-28T22:32:00</LastModified></CopyObjectResult>")));
    }

    private static byte[] DeleteBody(int objects)
    {
        var sb = new StringBuilder("<Delete>");
        for (int i = 0; i < objects; i++)
        {
            sb.Append("<Object><Key>k").Append(i).Append("</Key></Object>");
        }

        return Utf8(sb.Append("</Delete>").ToString());
    }

    private static byte[] CompleteBody(int parts)
    {
        var sb = new StringBuilder("<CompleteMultipartUpload>");
        for (int i = 1; i <= parts; i++)
        {
            sb.Append("<Part><PartNumber>").Append(i).Append("</PartNumber><ETag>\"e\"</ETag></Part>");
        }

        return Utf8(sb.Append("</CompleteMultipartUpload>").ToString());
    }
}
