using System.Text;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Naming;
using Sluice.Server.Routing;
using static Sluice.Server.Tests.Routing.RouteTestHelpers;

namespace Sluice.Server.Tests.Routing;

/// <summary>Path-style vs virtual-hosted-style addressing ("Virtual hosting of buckets", Amazon S3 User Guide:
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html) and the decoding of awkward keys.</summary>
public sealed class S3RouterAddressingTests
{
    private static readonly S3RouterOptions TwoDomains = CreateTwoDomains();

    [Theory]
    [InlineData("127.0.0.1:9000")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]:9000")]
    [InlineData("localhost:9000")]
    [InlineData("localhost")]
    [InlineData("LOCALHOST")]
    [InlineData("myserver:9000")]
    [InlineData("")]
    public void Ip_bare_domain_or_unknown_host_is_path_style(string host)
    {
        (var problem, S3Route route) = Route("GET", "/photos/2006/February/sample.jpg", host);
        Assert.True(problem.IsNone, problem.ToString());
        Assert.Equal(S3Addressing.PathStyle, route.Addressing);
        Assert.Equal("photos", route.GetBucketString());
        Assert.Equal("2006/February/sample.jpg", route.GetKeyString());
    }

    [Theory]
    [InlineData("photos.localhost", "photos")]
    [InlineData("photos.localhost:9000", "photos")]
    [InlineData("Photos.LocalHost:9000", "photos")]
    [InlineData("my.dotted.bucket.localhost:9000", "my.dotted.bucket")]
    [InlineData("photos.localhost.", "photos")]
    public void Host_under_the_domain_names_the_bucket(string host, string bucket)
    {
        // The S3 User Guide's example: https://DOC-EXAMPLE-BUCKET.s3.amazonaws.com/puppy.png, here with localhost.
        (var problem, S3Route route) = Route("GET", "/2006/February/sample.jpg", host);
        Assert.True(problem.IsNone, problem.ToString());
        Assert.Equal(S3Addressing.VirtualHosted, route.Addressing);
        Assert.Equal(bucket, route.GetBucketString());
        Assert.Equal("2006/February/sample.jpg", route.GetKeyString());
        Assert.Equal(S3Operation.GetObject, route.Operation);
    }

    [Fact]
    public void Longest_configured_domain_wins()
    {
        (var problem, S3Route route) = Route("GET", "/key", "photos.s3.localhost:9000", options: TwoDomains);
        Assert.True(problem.IsNone, problem.ToString());
        Assert.Equal("photos", route.GetBucketString());

        (problem, route) = Route("GET", "/", "s3.localhost:9000", options: TwoDomains);
        Assert.True(problem.IsNone, problem.ToString());
        Assert.Equal(S3Addressing.PathStyle, route.Addressing);
        Assert.Equal(S3Operation.ListBuckets, route.Operation);
    }

    [Theory]
    [InlineData("/", S3Operation.ListObjects, "")]
    [InlineData("", S3Operation.ListObjects, "")]
    [InlineData("/?list-type=2", S3Operation.ListObjectsV2, "")]
    [InlineData("//", S3Operation.GetObject, "/")]
    [InlineData("/a/b/", S3Operation.GetObject, "a/b/")]
    public void Virtual_hosted_path_is_the_key(string target, S3Operation operation, string key)
    {
        (var problem, S3Route route) = Route("GET", target, "bucket.localhost");
        Assert.True(problem.IsNone, problem.ToString());
        Assert.Equal(operation, route.Operation);
        Assert.Equal("bucket", route.GetBucketString());
        Assert.Equal(key, route.GetKeyString());
    }

    // Keys are the raw remainder after "/bucket/", percent-decoded and never normalized.
    [Theory]
    [InlineData("/b-1/../../etc/passwd", "../../etc/passwd")]
    [InlineData("/b-1/a//b", "a//b")]
    [InlineData("/b-1//", "/")]
    [InlineData("/b-1///", "//")]
    [InlineData("/b-1/dir/", "dir/")]
    [InlineData("/b-1/.", ".")]
    [InlineData("/b-1/..", "..")]
    [InlineData("/b-1/a%20b.txt", "a b.txt")]
    [InlineData("/b-1/a+b.txt", "a+b.txt")]
    [InlineData("/b-1/a%2Bb.txt", "a+b.txt")]
    [InlineData("/b-1/100%25.csv", "100%.csv")]
    [InlineData("/b-1/a%2Fb", "a/b")]
    [InlineData("/b-1/%E4%BD%A0%E5%A5%BD/%F0%9F%98%80", "你好/😀")]
    [InlineData("/b-1/a?b", "a")]
    [InlineData("/b-1/a%3Fb%23c", "a?b#c")]
    [InlineData("/b-1/%00nul", "\0nul")]
    public void Awkward_keys_are_decoded_exactly(string path, string key)
    {
        (var problem, S3Route route) = Route("GET", path);
        Assert.True(problem.IsNone, problem.ToString());
        Assert.Equal("b-1", route.GetBucketString());
        Assert.Equal(key, route.GetKeyString());
        Assert.Equal(S3Operation.GetObject, route.Operation);
    }

    [Fact]
    public void Key_of_1024_bytes_is_accepted_and_1025_is_KeyTooLongError()
    {
        // "é" is two UTF-8 bytes: 512 of them make 1024 bytes.
        string k1024 = string.Concat(Enumerable.Repeat("%C3%A9", 512));
        (var problem, S3Route route) = Route("PUT", "/bucket/" + k1024);
        Assert.True(problem.IsNone, problem.ToString());
        Assert.Equal(1024, route.Key.Length);

        (problem, _) = Route("PUT", "/bucket/" + k1024 + "x");
        Assert.Equal(S3ErrorCode.KeyTooLongError, problem.Code);
        Assert.Equal("1025", problem.GetDetail("Size"));
        Assert.Equal("1024", problem.GetDetail("MaxSizeAllowed"));
    }

    [Theory]
    [InlineData("/bucket/%FF")]
    [InlineData("/bucket/%C3")]
    [InlineData("/bucket/%ED%A0%80")]
    [InlineData("/bucket/bad%2")]
    [InlineData("/bucket/bad%zz")]
    [InlineData("*")]
    [InlineData("bucket/key")]
    public void Undecodable_path_is_InvalidURI(string path)
    {
        (var problem, _) = Route("GET", path);
        Assert.Equal(S3ErrorCode.InvalidURI, problem.Code);
        Assert.Equal(400, problem.HttpStatus);
    }

    [Theory]
    [InlineData("/ab")]
    [InlineData("/Bucket")]
    [InlineData("/my_bucket/key")]
    [InlineData("/192.168.5.4/key")]
    [InlineData("/xn--bucket")]
    public void Invalid_bucket_names_are_refused(string path)
    {
        (var problem, _) = Route("GET", path);
        Assert.Equal(S3ErrorCode.InvalidBucketName, problem.Code);
        Assert.NotNull(problem.GetDetail("BucketName"));
    }

    [Fact]
    public void Invalid_virtual_host_bucket_is_refused()
    {
        (var problem, _) = Route("GET", "/", "a_b.localhost");
        Assert.Equal(S3ErrorCode.InvalidBucketName, problem.Code);
    }

    [Fact]
    public void Routes_from_a_parsed_head()
    {
        byte[] request = Encoding.ASCII.GetBytes(
            "PUT /photos/a%20b.jpg?partNumber=2&uploadId=xyz HTTP/1.1\r\nHost: 127.0.0.1:9000\r\n" +
            "x-amz-copy-source: /src/k\r\nContent-Length: 0\r\n\r\n");
        var head = new S3RequestHead();
        Assert.True(head.Parse(request).IsComplete);
        var route = new S3Route();
        var problem = new S3Router().Route(head, request, route);
        Assert.True(problem.IsNone, problem.ToString());
        Assert.Equal(S3Operation.UploadPartCopy, route.Operation);
        Assert.Equal("photos", route.GetBucketString());
        Assert.Equal("a b.jpg", route.GetKeyString());
        Assert.Equal(2, route.Query.PartNumber);
        Assert.Equal("xyz", route.Query.GetString(S3QueryParameter.UploadId));
    }

    [Fact]
    public void Absolute_form_authority_wins_over_host()
    {
        byte[] request = Encoding.ASCII.GetBytes("GET http://photos.localhost:9000/k HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        var head = new S3RequestHead();
        Assert.True(head.Parse(request).IsComplete);
        var route = new S3Route();
        Assert.True(new S3Router().Route(head, request, route).IsNone);
        Assert.Equal(S3Addressing.VirtualHosted, route.Addressing);
        Assert.Equal("photos", route.GetBucketString());
        Assert.Equal("k", route.GetKeyString());
    }

    [Fact]
    public void Route_is_reused_and_grows_for_long_requests()
    {
        var router = new S3Router();
        var route = new S3Route();
        string longKey = new('k', 1000);
        byte[] longPath = Encoding.ASCII.GetBytes("/bucket/" + string.Concat(Enumerable.Repeat("%6B", 1000)));
        Assert.True(router.Route(KnownMethod.Get, longPath, default, "h"u8, false, route).IsNone);
        Assert.Equal(longKey, route.GetKeyString());
        Assert.True(router.Route(KnownMethod.Head, "/other"u8, default, "h"u8, false, route).IsNone);
        Assert.Equal(S3Operation.HeadBucket, route.Operation);
        Assert.False(route.HasKey);
        Assert.Equal("/other", route.GetResource());
    }

    private static S3RouterOptions CreateTwoDomains()
    {
        var options = new S3RouterOptions();
        options.VirtualHostDomains.Add("s3.localhost");
        return options;
    }
}
