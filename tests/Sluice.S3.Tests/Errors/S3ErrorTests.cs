using System.Buffers;
using System.Text;
using Sluice.S3.Errors;
using Sluice.S3.Xml;

namespace Sluice.S3.Tests.Errors;

public class S3ErrorTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    // https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html — "REST error responses" sample.
    [Fact]
    public void Reads_the_aws_error_responses_sample()
    {
        const string Sample = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error>
              <Code>NoSuchKey</Code>
              <Message>The resource you requested does not exist</Message>
              <Resource>/mybucket/myfoto.jpg</Resource>
              <RequestId>4442587FB7D0A2F9</RequestId>
            </Error>
            """;
        XmlReadResult<S3Error> read = S3Error.Read(Utf8(Sample));
        Assert.True(read.IsSuccess, read.Detail);
        Assert.Equal(S3ErrorCode.NoSuchKey, read.Value.Code);
        Assert.Equal("The resource you requested does not exist", read.Value.Message);
        Assert.Equal("/mybucket/myfoto.jpg", read.Value.Resource);
        Assert.Equal("4442587FB7D0A2F9", read.Value.RequestId);
        Assert.Null(read.Value.HostId);
        Assert.Empty(read.Value.Details);
        Assert.Equal(404, read.Value.HttpStatus);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html — "Error specified in
    // body": a 200 response whose body is an Error (blank line after the declaration, as published).
    [Fact]
    public void Reads_the_aws_error_in_200_body_sample()
    {
        const string Sample = """
            <?xml version="1.0" encoding="UTF-8"?>

            <Error>
             <Code>InternalError</Code>
             <Message>We encountered an internal error. Please try again.</Message>
             <RequestId>656c76696e6727732072657175657374</RequestId>
             <HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId>
            </Error>
            """;
        XmlReadResult<S3Error> read = S3Error.Read(Utf8(Sample));
        Assert.True(read.IsSuccess, read.Detail);
        Assert.Equal(S3ErrorCode.InternalError, read.Value.Code);
        Assert.Equal("Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==", read.Value.HostId);
        Assert.True(read.Value.IsRetryable);
        Assert.Equal(500, read.Value.HttpStatus);
    }

    [Fact]
    public void Reads_code_specific_details_in_order_and_skips_structured_ones()
    {
        // SignatureDoesNotMatch carries the string to sign and canonical request (shape as S3 sends it).
        const string Xml = """
            <Error><Code>SignatureDoesNotMatch</Code><Message>m</Message>
            <AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId>
            <StringToSign>AWS4-HMAC-SHA256
            20150830T123600Z</StringToSign>
            <Nested><x>1</x></Nested>
            <CanonicalRequest>GET
            /</CanonicalRequest>
            <RequestId>R</RequestId></Error>
            """;
        XmlReadResult<S3Error> read = S3Error.Read(Utf8(Xml));
        Assert.True(read.IsSuccess, read.Detail);
        Assert.Equal(["AWSAccessKeyId", "StringToSign", "CanonicalRequest"], read.Value.Details.Select(d => d.Key));
        Assert.Equal("AWS4-HMAC-SHA256\n20150830T123600Z", read.Value.GetDetail("StringToSign"));
        Assert.Null(read.Value.GetDetail("Nested"));
        Assert.Equal("R", read.Value.RequestId);
    }

    [Fact]
    public void Round_trips_with_details_and_nasty_text()
    {
        var error = new S3Error(S3ErrorCode.NoSuchKey)
        {
            Resource = "/b/k & <k>\u0001",
            RequestId = "4442587FB7D0A2F9",
            HostId = "host+/=",
        }.WithDetail("Key", "k & <k>\u0001\r").WithDetail("BucketName", "b");

        var buffer = new ArrayBufferWriter<byte>();
        error.WriteTo(buffer);
        XmlReadResult<S3Error> read = S3Error.Read(buffer.WrittenMemory);
        Assert.True(read.IsSuccess, read.Detail);
        Assert.Equal(error.Code, read.Value.Code);
        Assert.Equal("The specified key does not exist.", read.Value.Message);
        Assert.Equal(error.Resource, read.Value.Resource);
        Assert.Equal(error.RequestId, read.Value.RequestId);
        Assert.Equal(error.HostId, read.Value.HostId);
        Assert.Equal(error.Details, read.Value.Details);
    }

    [Theory]
    [InlineData("<Error><Message>no code</Message></Error>")]
    [InlineData("<Error><Code></Code></Error>")]
    [InlineData("<Err><Code>NoSuchKey</Code></Err>")]
    [InlineData("<Error><Code>NoSuchKey</Code>")]
    [InlineData("<!DOCTYPE Error [<!ENTITY e \"NoSuchKey\">]><Error><Code>&e;</Code></Error>")]
    public void Malformed_error_bodies_are_refused(string xml) => Assert.False(S3Error.Read(Utf8(xml)).IsSuccess);

    // Statuses from https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html ("List of error codes").
    [Theory]
    [InlineData(S3ErrorCode.AccessDenied, 403)]
    [InlineData(S3ErrorCode.BadDigest, 400)]
    [InlineData(S3ErrorCode.BucketAlreadyExists, 409)]
    [InlineData(S3ErrorCode.BucketAlreadyOwnedByYou, 409)]
    [InlineData(S3ErrorCode.BucketNotEmpty, 409)]
    [InlineData(S3ErrorCode.EntityTooLarge, 400)]
    [InlineData(S3ErrorCode.EntityTooSmall, 400)]
    [InlineData(S3ErrorCode.IncompleteBody, 400)]
    [InlineData(S3ErrorCode.InternalError, 500)]
    [InlineData(S3ErrorCode.InvalidAccessKeyId, 403)]
    [InlineData(S3ErrorCode.InvalidBucketName, 400)]
    [InlineData(S3ErrorCode.InvalidDigest, 400)]
    [InlineData(S3ErrorCode.InvalidPart, 400)]
    [InlineData(S3ErrorCode.InvalidPartOrder, 400)]
    [InlineData(S3ErrorCode.InvalidRange, 416)]
    [InlineData(S3ErrorCode.KeyTooLongError, 400)]
    [InlineData(S3ErrorCode.MalformedXML, 400)]
    [InlineData(S3ErrorCode.MethodNotAllowed, 405)]
    [InlineData(S3ErrorCode.MissingContentLength, 411)]
    [InlineData(S3ErrorCode.MissingSecurityHeader, 400)]
    [InlineData(S3ErrorCode.NoSuchBucket, 404)]
    [InlineData(S3ErrorCode.NoSuchKey, 404)]
    [InlineData(S3ErrorCode.NoSuchUpload, 404)]
    [InlineData(S3ErrorCode.NotImplemented, 501)]
    [InlineData(S3ErrorCode.NotModified, 304)]
    [InlineData(S3ErrorCode.OperationAborted, 409)]
    [InlineData(S3ErrorCode.PreconditionFailed, 412)]
    [InlineData(S3ErrorCode.RequestTimeout, 400)]
    [InlineData(S3ErrorCode.RequestTimeTooSkewed, 403)]
    [InlineData(S3ErrorCode.ServiceUnavailable, 503)]
    [InlineData(S3ErrorCode.SignatureDoesNotMatch, 403)]
    [InlineData(S3ErrorCode.SlowDown, 503)]
    [InlineData(S3ErrorCode.AuthorizationHeaderMalformed, 400)]
    public void Http_status_per_code(string code, int status)
    {
        Assert.Equal(status, S3ErrorCode.HttpStatusFor(code));
        Assert.Equal(status, new S3Error(code).HttpStatus);
    }

    [Fact]
    public void Unknown_code_has_no_status_and_falls_back_to_500()
    {
        Assert.Null(S3ErrorCode.HttpStatusFor("SomethingNew"));
        Assert.Equal(500, new S3Error("SomethingNew").HttpStatus);
        Assert.Equal("SomethingNew", new S3Error("SomethingNew").Message);
    }

    [Theory]
    [InlineData(S3ErrorCode.InternalError, 500, true)]
    [InlineData(S3ErrorCode.SlowDown, 503, true)]
    [InlineData(S3ErrorCode.ServiceUnavailable, 503, true)]
    [InlineData(S3ErrorCode.RequestTimeout, 400, true)]
    [InlineData(S3ErrorCode.RequestTimeTooSkewed, 403, true)]
    [InlineData(S3ErrorCode.OperationAborted, 409, true)]
    [InlineData(S3ErrorCode.IncompleteBody, 400, true)]
    [InlineData(S3ErrorCode.NoSuchKey, 404, false)]
    [InlineData(S3ErrorCode.AccessDenied, 403, false)]
    [InlineData(S3ErrorCode.SignatureDoesNotMatch, 403, false)]
    [InlineData(S3ErrorCode.BadDigest, 400, false)]
    [InlineData(S3ErrorCode.XAmzContentSHA256Mismatch, 400, false)]
    [InlineData(S3ErrorCode.PreconditionFailed, 412, false)]
    [InlineData(S3ErrorCode.MalformedXML, 400, false)]
    // Unknown codes follow the status (AWS SDK standard retry: 500/502/503/504 are transient).
    [InlineData("BrandNewThrottle", 503, true)]
    [InlineData("Gateway", 502, true)]
    [InlineData("Weird", 400, false)]
    [InlineData(null, 504, true)]
    [InlineData(null, 404, false)]
    // Throttles of S3-compatible services and gateways, whatever the status (the client's list, now the one rule).
    [InlineData("Throttling", 400, true)]
    [InlineData("RequestLimitExceeded", 400, true)]
    [InlineData(null, 429, true)]
    // 500/502/503/504 are transient whatever the code; other 5xx are not (the client used to retry any 5xx but 501;
    // the AWS SDKs' standard mode, and this table, do not).
    [InlineData(S3ErrorCode.AccessDenied, 500, true)]
    [InlineData(null, 505, false)]
    [InlineData("InsufficientStorage", 507, false)]
    [InlineData(S3ErrorCode.NotImplemented, 501, false)]
    // An error inside a 200 (CopyObject, CompleteMultipartUpload) goes by its code, as the AWS SDKs do.
    [InlineData(S3ErrorCode.InternalError, 200, true)]
    [InlineData(S3ErrorCode.SlowDown, 200, true)]
    [InlineData(S3ErrorCode.NoSuchUpload, 200, false)]
    public void Retryable(string? code, int status, bool retryable) =>
        Assert.Equal(retryable, S3ErrorCode.IsRetryable(code, status));

    [Theory]
    [InlineData(S3ErrorCode.SlowDown, 503, true)]
    [InlineData(null, 503, true)]
    [InlineData(null, 429, true)]
    [InlineData("ThrottlingException", 400, true)]
    [InlineData("BandwidthLimitExceeded", 509, true)]
    [InlineData(S3ErrorCode.InternalError, 500, false)]
    [InlineData(S3ErrorCode.RequestTimeout, 400, false)]
    public void Throttle(string? code, int status, bool throttle) =>
        Assert.Equal(throttle, S3ErrorCode.IsThrottle(code, status));
}
