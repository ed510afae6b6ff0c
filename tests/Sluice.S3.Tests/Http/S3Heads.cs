namespace Sluice.S3.Tests.Http;

/// <summary>Typical S3 message heads, taken from the examples in the Amazon S3 API reference.</summary>
internal static class S3Heads
{
    /// <summary>AWS S3 API reference, "Signature Calculations for the Authorization Header: Transferring Payload in
    /// Multiple Chunks (Chunked Upload)", Example: PUT Object (seed signature from that page).</summary>
    public const string ChunkedPut =
        "PUT /examplebucket/chunkObject.txt HTTP/1.1\r\n" +
        "Host: s3.amazonaws.com\r\n" +
        "x-amz-date: 20130524T000000Z\r\n" +
        "x-amz-storage-class: REDUCED_REDUNDANCY\r\n" +
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9\r\n" +
        "x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\r\n" +
        "Content-Encoding: aws-chunked\r\n" +
        "x-amz-decoded-content-length: 66560\r\n" +
        "Content-Length: 66824\r\n" +
        "\r\n";

    /// <summary>AWS S3 API reference, "Signature Calculations for the Authorization Header: Transferring Payload in a
    /// Single Chunk", Example: GET Object (with Range).</summary>
    public const string RangeGet =
        "GET /test.txt HTTP/1.1\r\n" +
        "Host: examplebucket.s3.amazonaws.com\r\n" +
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\r\n" +
        "Range: bytes=0-9\r\n" +
        "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\r\n" +
        "x-amz-date: 20130524T000000Z\r\n" +
        "\r\n";

    /// <summary>AWS S3 API reference, "Authenticating Requests: Using Query Parameters", example presigned URL.</summary>
    public const string PresignedGet =
        "GET /test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404 HTTP/1.1\r\n" +
        "Host: examplebucket.s3.amazonaws.com\r\n" +
        "\r\n";

    /// <summary>AWS S3 API reference, GetObject, "Sample Response" headers.</summary>
    public const string GetResponse =
        "HTTP/1.1 200 OK\r\n" +
        "x-amz-id-2: eftixk72aD6Ap51TnqcoF8eFidJG9Z/2mkiDFu8yU9AS1ed4OpIszj7UDNEHGran\r\n" +
        "x-amz-request-id: 318BC8BC148832E5\r\n" +
        "Date: Mon, 3 Oct 2016 22:32:00 GMT\r\n" +
        "Last-Modified: Wed, 12 Oct 2009 17:50:00 GMT\r\n" +
        "ETag: \"fba9dede5f27731c9771645a39863328\"\r\n" +
        "Content-Length: 434234\r\n" +
        "Content-Type: text/plain\r\n" +
        "Connection: close\r\n" +
        "Server: AmazonS3\r\n" +
        "\r\n";

    public const string Continue = "HTTP/1.1 100 Continue\r\n\r\n";
}
