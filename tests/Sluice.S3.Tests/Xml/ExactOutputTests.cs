using Sluice.S3.Errors;
using Sluice.S3.Xml;
using static Sluice.S3.Tests.Xml.XmlTestHelpers;

namespace Sluice.S3.Tests.Xml;

/// <summary>Exact bytes for known inputs: S3's element order, no whitespace, declaration plus one line feed.</summary>
public class ExactOutputTests
{
    [Fact]
    public void ListObjectsV2_matches_the_aws_start_after_sample_compacted()
    {
        // The data of the AWS ListObjectsV2 "max-keys, prefix, and start-after" sample; S3 sends the same
        // elements in this order, without indentation.
        var result = new ListBucketResult { Name = "quotes", Prefix = "E", StartAfter = "ExampleGuide.pdf", MaxKeys = 3 };
        result.Contents.Add(new ListedObject
        {
            Key = "ExampleObject.txt",
            LastModified = new DateTimeOffset(2013, 9, 17, 18, 7, 53, TimeSpan.Zero),
            ETag = "\"599bab3ed2c697f1d26842727561fd94\"",
            Size = 857,
            StorageClass = "REDUCED_REDUNDANCY",
        });

        Assert.Equal(
            Declaration + $"<ListBucketResult {Ns}><Name>quotes</Name><Prefix>E</Prefix>" +
            "<StartAfter>ExampleGuide.pdf</StartAfter><KeyCount>1</KeyCount><MaxKeys>3</MaxKeys>" +
            "<IsTruncated>false</IsTruncated><Contents><Key>ExampleObject.txt</Key>" +
            "<LastModified>2013-09-17T18:07:53.000Z</LastModified>" +
            "<ETag>&quot;599bab3ed2c697f1d26842727561fd94&quot;</ETag><Size>857</Size>" +
            "<StorageClass>REDUCED_REDUNDANCY</StorageClass></Contents></ListBucketResult>",
            Write(result.WriteTo));
    }

    [Fact]
    public void ListObjectsV1_with_url_encoding()
    {
        var result = new ListBucketResult
        {
            IsVersion2 = false,
            Name = "b",
            Prefix = "a b/",
            Delimiter = "/",
            EncodingType = "url",
            IsTruncated = true,
            NextMarker = "a b/c+d",
        };
        result.CommonPrefixes.Add("a b/é/");
        Assert.Equal(
            Declaration + $"<ListBucketResult {Ns}><Name>b</Name><Prefix>a+b/</Prefix><Marker></Marker>" +
            "<NextMarker>a+b/c%2Bd</NextMarker><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter>" +
            "<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>" +
            "<CommonPrefixes><Prefix>a+b/%C3%A9/</Prefix></CommonPrefixes></ListBucketResult>",
            Write(result.WriteTo));
    }

    [Fact]
    public void Empty_delimiter_is_not_written()
    {
        // s3-tests test_bucket_list_delimiter_empty: S3 omits Delimiter when the request sent an empty one.
        var result = new ListBucketResult { Name = "b", Delimiter = string.Empty };
        Assert.DoesNotContain("Delimiter", Write(result.WriteTo), StringComparison.Ordinal);
    }

    [Fact]
    public void Error_body_has_no_namespace()
    {
        // Shape of the sample in https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html.
        var error = new S3Error(S3ErrorCode.NoSuchKey, "The resource you requested does not exist")
        {
            Resource = "/mybucket/myfoto.jpg",
            RequestId = "4442587FB7D0A2F9",
        };
        Assert.Equal(
            Declaration + "<Error><Code>NoSuchKey</Code><Message>The resource you requested does not exist</Message>" +
            "<Resource>/mybucket/myfoto.jpg</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>",
            Write(error.WriteTo));
    }

    [Fact]
    public void Error_details_follow_the_message()
    {
        var error = new S3Error(S3ErrorCode.InvalidArgument)
            .WithDetail("ArgumentName", "x-amz-checksum-crc32")
            .WithDetail("ArgumentValue", "<bad & value>");
        error.RequestId = "R";
        error.HostId = "H";
        Assert.Equal(
            Declaration + "<Error><Code>InvalidArgument</Code><Message>Invalid Argument</Message>" +
            "<ArgumentName>x-amz-checksum-crc32</ArgumentName><ArgumentValue>&lt;bad &amp; value&gt;</ArgumentValue>" +
            "<RequestId>R</RequestId><HostId>H</HostId></Error>",
            Write(error.WriteTo));
    }

    [Fact]
    public void Small_bodies()
    {
        var init = new InitiateMultipartUploadResult { Bucket = "example-bucket", Key = "example-object", UploadId = "U" };
        Assert.Equal(
            Declaration + $"<InitiateMultipartUploadResult {Ns}><Bucket>example-bucket</Bucket>" +
            "<Key>example-object</Key><UploadId>U</UploadId></InitiateMultipartUploadResult>",
            Write(init.WriteTo));

        var delete = new DeleteObjectsRequest { Quiet = true };
        delete.Objects.Add(new ObjectIdentifier { Key = "k", VersionId = "v" });
        Assert.Equal(
            Declaration + $"<Delete {Ns}><Quiet>true</Quiet><Object><Key>k</Key><VersionId>v</VersionId></Object></Delete>",
            Write(delete.WriteTo));

        var copy = new CopyPartResult { LastModified = new DateTimeOffset(2009, 10, 28, 22, 32, 0, TimeSpan.Zero), ETag = "\"e\"" };
        Assert.Equal(
            Declaration + $"<CopyPartResult {Ns}><LastModified>2009-10-28T22:32:00.000Z</LastModified>" +
            "<ETag>&quot;e&quot;</ETag></CopyPartResult>",
            Write(copy.WriteTo));

        // us-east-1 answers an empty LocationConstraint element (AWS GetBucketLocation reference).
        Assert.Equal(Declaration + $"<LocationConstraint {Ns}/>", Write(new LocationConstraint().WriteTo));
        Assert.Equal(
            Declaration + $"<LocationConstraint {Ns}>us-west-2</LocationConstraint>",
            Write(new LocationConstraint { Region = "us-west-2" }.WriteTo));
    }
}
