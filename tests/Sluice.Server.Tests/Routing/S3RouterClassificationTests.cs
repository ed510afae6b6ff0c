using Sluice.S3.Errors;
using Sluice.S3.Naming;
using Sluice.Server.Routing;
using static Sluice.Server.Tests.Routing.RouteTestHelpers;

namespace Sluice.Server.Tests.Routing;

/// <summary>Every operation and every refusal of the REST dispatch table (S3 API reference, one page per operation:
/// method, path and selector), path-style.</summary>
public sealed class S3RouterClassificationTests
{
    [Theory]
    [InlineData("GET", "/", false, S3Operation.ListBuckets)]
    [InlineData("PUT", "/bucket", false, S3Operation.CreateBucket)]
    [InlineData("PUT", "/bucket/", false, S3Operation.CreateBucket)]
    [InlineData("HEAD", "/bucket", false, S3Operation.HeadBucket)]
    [InlineData("DELETE", "/bucket", false, S3Operation.DeleteBucket)]
    [InlineData("GET", "/bucket?location", false, S3Operation.GetBucketLocation)]
    [InlineData("GET", "/bucket?location=", false, S3Operation.GetBucketLocation)]
    [InlineData("GET", "/bucket?list-type=2", false, S3Operation.ListObjectsV2)]
    [InlineData("GET", "/bucket?list-type=2&prefix=a%2Fb&delimiter=%2F&max-keys=10", false, S3Operation.ListObjectsV2)]
    [InlineData("GET", "/bucket", false, S3Operation.ListObjects)]
    [InlineData("GET", "/bucket?list-type=1", false, S3Operation.ListObjects)]
    [InlineData("GET", "/bucket?list-type=bogus", false, S3Operation.ListObjects)]
    [InlineData("GET", "/bucket?marker=k", false, S3Operation.ListObjects)]
    [InlineData("GET", "/bucket?x-id=ListObjects", false, S3Operation.ListObjects)]
    [InlineData("GET", "/bucket?session", false, S3Operation.ListObjects)]
    [InlineData("GET", "/bucket?Versioning", false, S3Operation.ListObjects)]
    [InlineData("GET", "/bucket?uploads", false, S3Operation.ListMultipartUploads)]
    [InlineData("GET", "/bucket?versioning", false, S3Operation.GetBucketVersioning)]
    [InlineData("PUT", "/bucket?versioning", false, S3Operation.PutBucketVersioning)]
    [InlineData("GET", "/bucket/key?versionId=3HL4kqtJlcpXroDTDmJ", false, S3Operation.GetObject)]
    [InlineData("HEAD", "/bucket/key?versionId=null", false, S3Operation.HeadObject)]
    [InlineData("DELETE", "/bucket/key?versionId=3HL4kqtJlcpXroDTDmJ", false, S3Operation.DeleteObject)]
    [InlineData("PUT", "/bucket/key?tagging&versionId=null", false, S3Operation.PutObjectTagging)]
    [InlineData("GET", "/bucket?versions", false, S3Operation.ListObjectVersions)]
    [InlineData("GET", "/bucket?versions&key-marker=a&version-id-marker=null&max-keys=5&encoding-type=url", false, S3Operation.ListObjectVersions)]
    [InlineData("POST", "/bucket?delete", false, S3Operation.DeleteObjects)]
    [InlineData("POST", "/bucket", false, S3Operation.PostObject)]
    [InlineData("POST", "/bucket?delete=", false, S3Operation.DeleteObjects)]
    [InlineData("PUT", "/bucket/key", false, S3Operation.PutObject)]
    [InlineData("PUT", "/bucket/key", true, S3Operation.CopyObject)]
    [InlineData("GET", "/bucket/key", false, S3Operation.GetObject)]
    [InlineData("GET", "/bucket/key?response-content-type=text%2Fplain", false, S3Operation.GetObject)]
    [InlineData("GET", "/bucket/key?location", false, S3Operation.GetObject)]
    [InlineData("GET", "/bucket/key?delete", false, S3Operation.GetObject)]
    [InlineData("GET", "/bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=60", false, S3Operation.GetObject)]
    [InlineData("HEAD", "/bucket/key", false, S3Operation.HeadObject)]
    [InlineData("DELETE", "/bucket/key", false, S3Operation.DeleteObject)]
    [InlineData("GET", "/bucket/key?tagging", false, S3Operation.GetObjectTagging)]
    [InlineData("GET", "/bucket?object-lock", false, S3Operation.GetObjectLockConfiguration)]
    [InlineData("PUT", "/bucket?object-lock", false, S3Operation.PutObjectLockConfiguration)]
    [InlineData("GET", "/bucket/key?retention", false, S3Operation.GetObjectRetention)]
    [InlineData("PUT", "/bucket/key?retention&versionId=null", false, S3Operation.PutObjectRetention)]
    [InlineData("GET", "/bucket/key?legal-hold", false, S3Operation.GetObjectLegalHold)]
    [InlineData("PUT", "/bucket/key?legal-hold", false, S3Operation.PutObjectLegalHold)]
    [InlineData("PUT", "/bucket/key?tagging", false, S3Operation.PutObjectTagging)]
    [InlineData("DELETE", "/bucket/key?tagging", false, S3Operation.DeleteObjectTagging)]
    [InlineData("GET", "/bucket?tagging", false, S3Operation.GetBucketTagging)]
    [InlineData("PUT", "/bucket?tagging", false, S3Operation.PutBucketTagging)]
    [InlineData("DELETE", "/bucket?tagging", false, S3Operation.DeleteBucketTagging)]
    [InlineData("GET", "/bucket/key?attributes", false, S3Operation.GetObjectAttributes)]
    [InlineData("PUT", "/bucket?lifecycle", false, S3Operation.PutBucketLifecycleConfiguration)]
    [InlineData("GET", "/bucket?encryption", false, S3Operation.GetBucketEncryption)]
    [InlineData("PUT", "/bucket?encryption", false, S3Operation.PutBucketEncryption)]
    [InlineData("DELETE", "/bucket?encryption", false, S3Operation.DeleteBucketEncryption)]
    [InlineData("GET", "/bucket?policy", false, S3Operation.GetBucketPolicy)]
    [InlineData("PUT", "/bucket?policy", false, S3Operation.PutBucketPolicy)]
    [InlineData("DELETE", "/bucket?policy", false, S3Operation.DeleteBucketPolicy)]
    [InlineData("GET", "/bucket?policyStatus", false, S3Operation.GetBucketPolicyStatus)]
    [InlineData("POST", "/bucket/key?uploads", false, S3Operation.CreateMultipartUpload)]
    [InlineData("PUT", "/bucket/key?partNumber=1&uploadId=abc", false, S3Operation.UploadPart)]
    [InlineData("PUT", "/bucket/key?uploadId=abc&partNumber=10000", false, S3Operation.UploadPart)]
    [InlineData("PUT", "/bucket/key?partNumber=3&uploadId=abc", true, S3Operation.UploadPartCopy)]
    [InlineData("POST", "/bucket/key?uploadId=abc", false, S3Operation.CompleteMultipartUpload)]
    [InlineData("DELETE", "/bucket/key?uploadId=abc", false, S3Operation.AbortMultipartUpload)]
    [InlineData("GET", "/bucket/key?uploadId=abc", false, S3Operation.ListParts)]
    [InlineData("GET", "/bucket/key?uploadId=abc&max-parts=5&part-number-marker=2", false, S3Operation.ListParts)]
    public void Operation_is_classified(string method, string target, bool copySource, S3Operation expected)
    {
        (var problem, S3Route route) = Route(method, target, copySource: copySource);
        Assert.True(problem.IsNone, problem.ToString());
        Assert.Equal(expected, route.Operation);
        Assert.Equal(S3Addressing.PathStyle, route.Addressing);
    }

    // Unimplemented subresources answer 501, never the plain operation's success.
    [Theory]
    [InlineData("GET", "/bucket?analytics")]
    [InlineData("PUT", "/bucket?replication")]
    [InlineData("GET", "/bucket?logging")]
    [InlineData("GET", "/bucket?website")]
    [InlineData("GET", "/bucket/key?torrent")]
    [InlineData("POST", "/bucket/key?restore")]
    [InlineData("POST", "/bucket/key?select&select-type=2")]
    // Operations that would ignore a version they were asked about (they act on the key, not a version).
    [InlineData("PUT", "/bucket/key?versionId=3HL4kqtJlcpXroDTDmJ")]
    [InlineData("POST", "/bucket/key?uploads&versionId=3HL4kqtJlcpXroDTDmJ")]
    [InlineData("BREW", "/bucket/key")]
    public void Unimplemented_functionality_is_NotImplemented(string method, string target)
    {
        (var problem, S3Route route) = Route(method, target);
        Assert.Equal(S3ErrorCode.NotImplemented, problem.Code);
        Assert.Equal(501, problem.HttpStatus);
        Assert.Equal(S3Operation.None, route.Operation);
    }

    [Theory]
    [InlineData("PUT", "/", "SERVICE")]
    [InlineData("DELETE", "/", "SERVICE")]
    [InlineData("HEAD", "/", "SERVICE")]
    [InlineData("POST", "/", "SERVICE")]
    [InlineData("PATCH", "/bucket", "BUCKET")]
    [InlineData("TRACE", "/bucket/key", "OBJECT")]
    [InlineData("PATCH", "/bucket/key", "OBJECT")]
    [InlineData("POST", "/bucket/key", "OBJECT")]
    [InlineData("HEAD", "/bucket?location", "BUCKET")]
    [InlineData("HEAD", "/bucket?versioning", "BUCKET")]
    [InlineData("HEAD", "/bucket/key?acl", "OBJECT")]
    [InlineData("HEAD", "/bucket/key?uploadId=x", "OBJECT")]
    [InlineData("PUT", "/bucket?location", "BUCKET")]
    [InlineData("DELETE", "/bucket?uploads", "BUCKET")]
    [InlineData("GET", "/bucket?delete", "BUCKET")]
    [InlineData("PUT", "/bucket/key?uploads", "OBJECT")]
    [InlineData("GET", "/bucket/key?uploads", "OBJECT")]
    [InlineData("DELETE", "/bucket/key?uploads", "OBJECT")]
    public void Method_the_resource_does_not_take_is_MethodNotAllowed(string method, string target, string resourceType)
    {
        (var problem, S3Route route) = Route(method, target);
        Assert.Equal(S3ErrorCode.MethodNotAllowed, problem.Code);
        Assert.Equal(405, problem.HttpStatus);
        Assert.Equal(method, problem.GetDetail("Method"));
        Assert.Equal(resourceType, problem.GetDetail("ResourceType"));
        Assert.Equal(S3Operation.None, route.Operation);
    }

    // AWS: "?versioning&acl" is "Conflicting query string parameters: acl, versioning", the first named as the value
    // (measured by github.com/brekkylab/backlot, backlot/routers/s3.py).
    [Theory]
    [InlineData("GET", "/bucket?versioning&acl", "acl, versioning", "acl")]
    [InlineData("GET", "/bucket?uploads&versioning", "uploads, versioning", "uploads")]
    [InlineData("POST", "/bucket/key?uploads&uploadId=x", "uploadId, uploads", "uploadId")]
    [InlineData("HEAD", "/bucket?tagging&policy", "policy, tagging", "policy")]
    public void Two_selectors_conflict(string method, string target, string names, string first)
    {
        (var problem, _) = Route(method, target);
        Assert.Equal(S3ErrorCode.InvalidArgument, problem.Code);
        Assert.Equal("Conflicting query string parameters: " + names, problem.Message);
        Assert.Equal("ResourceType", problem.GetDetail("ArgumentName"));
        Assert.Equal(first, problem.GetDetail("ArgumentValue"));
    }

    [Fact]
    public void Part_number_reads_are_routed_unless_disabled()
    {
        var options = new S3RouterOptions();
        Assert.Equal(S3ErrorCode.NotImplemented,
            Route("GET", "/bucket/key?partNumber=1", options: new S3RouterOptions { PartNumberReads = false }).Item1.Code);
        (var problem, S3Route route) = Route("GET", "/bucket/key?partNumber=2", options: options);
        Assert.True(problem.IsNone, problem.ToString());
        Assert.Equal(S3Operation.GetObject, route.Operation);
        Assert.Equal(2, route.Query.PartNumber);

        (problem, _) = Route("HEAD", "/bucket/key?partNumber=0", options: options);
        Assert.Equal(S3ErrorCode.InvalidArgument, problem.Code);
    }

    [Fact]
    public void Put_with_partNumber_but_no_uploadId_is_refused()
    {
        (var problem, _) = Route("PUT", "/bucket/key?partNumber=1");
        Assert.Equal(S3ErrorCode.InvalidArgument, problem.Code);
        Assert.Equal("This operation does not accept partNumber without uploadId", problem.Message);
        Assert.Equal("partNumber", problem.GetDetail("ArgumentName"));
    }

    [Fact]
    public void Put_with_uploadId_but_no_partNumber_is_refused()
    {
        (var problem, _) = Route("PUT", "/bucket/key?uploadId=abc");
        Assert.Equal(S3ErrorCode.InvalidArgument, problem.Code);
        Assert.Equal("partNumber", problem.GetDetail("ArgumentName"));
    }

    [Fact]
    public void Selectors_of_the_other_resource_are_ignored()
    {
        // uploadId is an object selector: on a bucket it is just an unknown parameter.
        (var problem, S3Route route) = Route("GET", "/bucket?uploadId=x");
        Assert.True(problem.IsNone);
        Assert.Equal(S3Operation.ListObjects, route.Operation);
    }
}
